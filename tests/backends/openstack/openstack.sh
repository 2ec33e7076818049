#!/usr/bin/env bash
# The test OpenStack (Zed, Debian bookworm packages) for tests/drivers/openstack:
# Keystone, Glance, Placement, Nova (fake virt driver), Neutron API (ML2, no
# agents), Swift (one node, one replica), RabbitMQ, MariaDB. Everything listens
# on 127.0.0.1 only; runs as root; no systemd.
#
#   openstack.sh start    configure and start what is not running, provision data
#   openstack.sh stop     stop what this script started (by pid / process group)
#   openstack.sh status   one line per service
#
# Packages come from .ci/backends/openstack.sh. State lives under $DS_OS_DIR
# (default: <repo>/.ci/.cache/openstack); a second start reuses it (faster).
# Users (Keystone v3, domain Default, region RegionOne):
#   admin/$DS_OS_ADMIN_PASSWORD (project admin), demo/$DS_OS_DEMO_PASSWORD (project demo)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
STATE=${DS_OS_DIR:-$REPO/.ci/.cache/openstack}
ADMIN_PASS=${DS_OS_ADMIN_PASSWORD:-secret}
DEMO_PASS=${DS_OS_DEMO_PASSWORD:-secret}
SERVICE_PASS=${DS_OS_SERVICE_PASSWORD:-service-secret}
DB_PASS=${DS_OS_DB_PASSWORD:-db-secret}
IP=127.0.0.1
KEYSTONE=http://$IP:5000
CONF=$STATE/etc
PIDS=$STATE/run
LOGS=$STATE/log
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export ERL_EPMD_ADDRESS=$IP   # Erlang's epmd (forked by RabbitMQ) on loopback only
PY=/usr/bin/python3
T0=$(date +%s)

log() { echo "[openstack $(date +%H:%M:%S)] $*"; }
running() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# spawn NAME COMMAND...: a new session (its pid is its process group), output to a log
spawn() {
  local name=$1; shift
  if running "$name"; then return; fi
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
  log "started $name ($!)"
}

# wsgi NAME PORT SCRIPT PROCESSES THREADS [uwsgi options]: an API under uwsgi.
# "Connection: close" because the Python clients get resets on uwsgi's kept-alive sockets.
wsgi() {
  local name=$1 port=$2 script=$3 procs=$4 threads=$5; shift 5
  spawn "$name" uwsgi --plugins python3 --master --die-on-term --no-orphans --lazy-apps \
    --enable-threads --need-app --http-socket "$IP:$port" --wsgi-file "$script" \
    --processes "$procs" --threads "$threads" --buffer-size 65535 \
    --add-header "Connection: close" --procname-prefix-spaced "ds-$name" "$@"
}

until_http() { # URL: wait up to 120 s for any HTTP answer
  local i
  for ((i = 0; i < 240; i++)); do
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.5
  done
  echo "no answer from $1" >&2; return 1
}

SERVICES="swift-proxy swift-object swift-container swift-account nova-compute nova-scheduler
nova-conductor nova-api neutron placement glance keystone mariadb"

stop() {
  local name pid pids="" i
  for name in $SERVICES; do
    [ -f "$PIDS/$name.pid" ] || continue
    pid=$(cat "$PIDS/$name.pid"); rm -f "$PIDS/$name.pid"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" || true
      pids="$pids $pid"
    fi
  done
  for ((i = 0; i < 30; i++)); do
    local left=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
    [ -z "$left" ] && break
    sleep 0.5
  done
  for pid in $pids; do kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null; done
  if [ -f "$STATE/rabbitmq/pid" ]; then
    rabbitmqctl -n rabbit@localhost stop "$STATE/rabbitmq/pid" >/dev/null 2>&1 || true
    rm -f "$STATE/rabbitmq/pid"
  fi
  # Erlang's epmd: started by rabbitmq-server, and again by rabbitmqctl; both as user rabbitmq
  rm -f "$PIDS/epmd.pid"
  for pid in $(pgrep -u rabbitmq -x epmd || true); do kill "$pid" 2>/dev/null || true; done
  log "stopped"
}

status() {
  local name
  for name in $SERVICES; do
    if running "$name"; then echo "$name running"; else echo "$name stopped"; fi
  done
  if rabbitmqctl -n rabbit@localhost -q status >/dev/null 2>&1; then echo "rabbitmq running"; else echo "rabbitmq stopped"; fi
}

case "${1:-start}" in
  start) ;;
  stop) stop; exit 0 ;;
  status) status; exit 0 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || { echo "openstack.sh must run as root" >&2; exit 1; }
command -v keystone-manage >/dev/null || { echo "OpenStack packages missing: run .ci/backends/openstack.sh" >&2; exit 1; }

mkdir -p "$PIDS" "$LOGS" "$CONF"/{keystone,glance,placement,nova,neutron,swift} \
  "$STATE"/{keystone,glance/images,glance/staging,glance/tasks,nova/instances,nova/locks,neutron,bin} \
  "$STATE"/swift/devices/d1 "$STATE"/pylib/ds_noop_mech-1.0.dist-info "$STATE"/rabbitmq "$STATE"/mysql-run
chown -R swift:swift "$STATE/swift"
chown rabbitmq:rabbitmq "$STATE/rabbitmq"
touch "$LOGS/rabbitmq.log"; chown rabbitmq:rabbitmq "$LOGS/rabbitmq.log"
chown mysql:mysql "$STATE/mysql-run"

# ------------------------------------------------------------------ RabbitMQ
cat >/etc/rabbitmq/rabbitmq-env.conf <<CONF
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=$IP
NODE_PORT=5672
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
cat >/etc/rabbitmq/rabbitmq.conf <<CONF
listeners.tcp.1 = $IP:5672
loopback_users.guest = true
CONF
rabbit_started=""
if ! rabbitmqctl -n rabbit@localhost -q status >/dev/null 2>&1; then
  su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && ERL_EPMD_ADDRESS=$IP RABBITMQ_PID_FILE=$STATE/rabbitmq/pid setsid /usr/lib/rabbitmq/bin/rabbitmq-server >>$LOGS/rabbitmq.log 2>&1 &"
  rabbit_started=1
  log "starting rabbitmq"
fi

# ------------------------------------------------------------------ MariaDB
cat >"$CONF/my.cnf" <<CONF
[mysqld]
user = mysql
datadir = $STATE/mysql
socket = $STATE/mysql-run/mysqld.sock
pid-file = $STATE/mysql-run/mysqld.pid
bind-address = $IP
port = 3306
skip-name-resolve
log-error = $LOGS/mariadb.err
max_connections = 500
character-set-server = utf8
collation-server = utf8_general_ci
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
performance_schema = off
CONF
SQL="mariadb --defaults-file=$CONF/my.cnf --socket=$STATE/mysql-run/mysqld.sock -uroot"
if [ ! -d "$STATE/mysql/mysql" ]; then
  mkdir -p "$STATE/mysql"; chown mysql:mysql "$STATE/mysql"
  mariadb-install-db --defaults-file="$CONF/my.cnf" --skip-test-db \
    --auth-root-authentication-method=socket >>"$LOGS/mariadb-install.log" 2>&1
fi
spawn mariadb /usr/sbin/mariadbd --defaults-file="$CONF/my.cnf"
for ((i = 0; i < 120; i++)); do $SQL -e 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
{
  for d in keystone glance placement nova_api nova nova_cell0 neutron; do
    echo "CREATE DATABASE IF NOT EXISTS $d CHARACTER SET utf8;"
  done
  echo "CREATE USER IF NOT EXISTS 'openstack'@'$IP' IDENTIFIED BY '$DB_PASS';"
  echo "GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'$IP'; FLUSH PRIVILEGES;"
} | $SQL
db() { echo "mysql+pymysql://openstack:$DB_PASS@$IP/$1?charset=utf8"; }

# The [keystone_authtoken] section of each API service
authtoken() {
  cat <<CONF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE
auth_url = $KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASS
region_name = RegionOne
service_token_roles_required = true
CONF
}
service_auth() { # SECTION: a service user for calls between services
  cat <<CONF
[$1]
auth_type = password
auth_url = $KEYSTONE/v3
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = $SERVICE_PASS
region_name = RegionOne
CONF
}

# ------------------------------------------------------------------ Keystone
cat >"$CONF/keystone/keystone.conf" <<CONF
[DEFAULT]
log_file = $LOGS/keystone-app.log
[database]
connection = $(db keystone)
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
[identity]
# test cloud only: cheap bcrypt, so a password login costs milliseconds, not 0.3 s
password_hash_rounds = 4
[cache]
# one keystone process, so an in-process cache is coherent; without it a token
# validation costs hundreds of queries
enabled = true
backend = dogpile.cache.memory
expiration_time = 600
CONF
KM="keystone-manage --config-file $CONF/keystone/keystone.conf"
if [ ! -f "$STATE/keystone/bootstrapped" ]; then
  log "keystone: database and bootstrap"
  $KM db_sync
  $KM fernet_setup --keystone-user root --keystone-group root
  $KM credential_setup --keystone-user root --keystone-group root
  $KM bootstrap --bootstrap-password "$ADMIN_PASS" --bootstrap-region-id RegionOne \
    --bootstrap-admin-url $KEYSTONE/v3/ --bootstrap-internal-url $KEYSTONE/v3/ \
    --bootstrap-public-url $KEYSTONE/v3/
  touch "$STATE/keystone/bootstrapped"
fi
wsgi keystone 5000 /usr/bin/keystone-wsgi-public 1 8 \
  --env OS_KEYSTONE_CONFIG_FILES="$CONF/keystone/keystone.conf"

# ------------------------------------------------------------------ Glance
cp /etc/glance/glance-api-paste.ini "$CONF/glance/"
{ cat <<CONF
[DEFAULT]
log_file = $LOGS/glance-app.log
bind_host = $IP
enabled_import_methods = []
[database]
connection = $(db glance)
[glance_store]
stores = file
default_store = file
filesystem_store_datadir = $STATE/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks
[oslo_concurrency]
lock_path = $STATE/glance
[paste_deploy]
flavor = keystone
CONF
authtoken glance; } >"$CONF/glance/glance-api.conf"
if [ ! -f "$STATE/glance/synced" ]; then
  glance-manage --config-file "$CONF/glance/glance-api.conf" db_sync >>"$LOGS/glance-manage.log" 2>&1
  touch "$STATE/glance/synced"
fi

# ------------------------------------------------------------------ Placement
{ cat <<CONF
[DEFAULT]
log_file = $LOGS/placement-app.log
[api]
auth_strategy = keystone
[placement_database]
connection = $(db placement)
CONF
authtoken placement; } >"$CONF/placement/placement.conf"
if [ ! -f "$STATE/placement.synced" ]; then
  placement-manage --config-file "$CONF/placement/placement.conf" db sync
  touch "$STATE/placement.synced"
fi

# ------------------------------------------------------------------ Nova
cp /etc/nova/api-paste.ini "$CONF/nova/"
RABBIT=rabbit://guest:guest@$IP:5672/
{ cat <<CONF
[DEFAULT]
log_dir = $LOGS
state_path = $STATE/nova
instances_path = $STATE/nova/instances
my_ip = $IP
host = ds-compute
transport_url = $RABBIT
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $IP
metadata_listen = $IP
use_rootwrap_daemon = false
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $CONF/nova/api-paste.ini
[api_database]
connection = $(db nova_api)
[database]
connection = $(db nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 10
[oslo_concurrency]
lock_path = $STATE/nova/locks
[glance]
region_name = RegionOne
[cinder]
os_region_name = RegionOne
[vnc]
enabled = false
[spice]
enabled = false
[oslo_messaging_notifications]
driver = noop
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
CONF
service_auth placement; service_auth neutron; authtoken nova; } >"$CONF/nova/nova.conf"
# nova-compute must not see the databases (it goes through the conductor)
grep -v '^connection = ' "$CONF/nova/nova.conf" >"$CONF/nova/compute.conf"
# nova-compute from python3-nova: the nova-compute package would pull in qemu/kvm
printf '#!/usr/bin/python3\nimport sys\nfrom nova.cmd.compute import main\nsys.exit(main())\n' >"$STATE/bin/nova-compute"
chmod +x "$STATE/bin/nova-compute"
NM="nova-manage --config-file $CONF/nova/nova.conf"

# ------------------------------------------------------------------ Neutron
cp /etc/neutron/api-paste.ini "$CONF/neutron/"
cp "$HERE/noop_mech.py" "$STATE/pylib/ds_noop_mech.py"
printf 'Metadata-Version: 2.1\nName: ds-noop-mech\nVersion: 1.0\n' >"$STATE/pylib/ds_noop_mech-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\nds_noop = ds_noop_mech:BindEverything\n' \
  >"$STATE/pylib/ds_noop_mech-1.0.dist-info/entry_points.txt"
{ cat <<CONF
[DEFAULT]
log_file = $LOGS/neutron-app.log
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
bind_host = $IP
bind_port = 9696
api_paste_config = $CONF/neutron/api-paste.ini
transport_url = $RABBIT
# port changes reach Nova, so a server's addresses show its floating IPs
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(db neutron)
[oslo_concurrency]
lock_path = $STATE/neutron
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
CONF
service_auth nova; authtoken neutron; } >"$CONF/neutron/neutron.conf"
cat >"$CONF/neutron/ml2_conf.ini" <<CONF
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = ds_noop
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
CONF
if [ ! -f "$STATE/neutron/synced" ]; then
  log "neutron: database"
  neutron-db-manage --config-file "$CONF/neutron/neutron.conf" \
    --config-file "$CONF/neutron/ml2_conf.ini" upgrade heads >>"$LOGS/neutron-manage.log" 2>&1
  touch "$STATE/neutron/synced"
fi

# ------------------------------------------------------------------ Swift
cat >"$CONF/swift/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = deltacloud-ci
swift_hash_path_prefix = deltacloud-ci
[storage-policy:0]
name = Policy-0
default = yes
CONF
ln -sfn "$CONF/swift/swift.conf" /etc/swift/swift.conf   # swift reads only /etc/swift/swift.conf
for entry in account:6202 container:6201 object:6200; do
  kind=${entry%%:*} port=${entry##*:}
  cat >"$CONF/swift/$kind-server.conf" <<CONF
[DEFAULT]
bind_ip = $IP
bind_port = $port
workers = 0
user = swift
swift_dir = $CONF/swift
devices = $STATE/swift/devices
mount_check = false
log_name = swift-$kind
log_udp_host = $IP
[pipeline:main]
pipeline = $kind-server
[app:$kind-server]
use = egg:swift#$kind
[$kind-replicator]
[$kind-auditor]
[$kind-updater]
CONF
done
cat >"$CONF/swift/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = $IP
bind_port = 8080
workers = 0
user = swift
swift_dir = $CONF/swift
log_name = swift-proxy
log_udp_host = $IP
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats authtoken keystoneauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KEYSTONE
auth_url = $KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = swift
password = $SERVICE_PASS
region_name = RegionOne
delay_auth_decision = true
CONF
if [ ! -f "$CONF/swift/object.ring.gz" ]; then
  ( cd "$CONF/swift"
    for entry in account:6202 container:6201 object:6200; do
      swift-ring-builder "${entry%%:*}.builder" create 8 1 1 >/dev/null
      swift-ring-builder "${entry%%:*}.builder" add "r1z1-$IP:${entry##*:}/d1" 100 >/dev/null
      swift-ring-builder "${entry%%:*}.builder" rebalance >/dev/null
    done )
fi
chown -R swift:swift "$CONF/swift" "$STATE/swift"

# ------------------------------------------------------------------ start
until_http $KEYSTONE/v3
log "keystone up"
$PY "$HERE/provision.py" identity "$ADMIN_PASS" "$SERVICE_PASS" "$DEMO_PASS"

wsgi glance 9292 /usr/bin/glance-wsgi-api 1 4 --env OS_GLANCE_CONFIG_DIR="$CONF/glance"
wsgi placement 8778 /usr/bin/placement-api 1 4 --env OS_PLACEMENT_CONFIG_DIR="$CONF/placement"
if [ ! -f "$STATE/nova/synced" ]; then
  log "nova: databases and cells"
  $NM api_db sync
  $NM cell_v2 map_cell0 --database_connection "$(db nova_cell0)"
  $NM cell_v2 create_cell --name cell1 --transport-url "$RABBIT" --database_connection "$(db nova)" || true
  $NM db sync
  touch "$STATE/nova/synced"
fi
if [ -n "$rabbit_started" ]; then
  for ((i = 0; i < 240; i++)); do [ -s "$STATE/rabbitmq/pid" ] && break; sleep 0.5; done
fi
rabbitmqctl -n rabbit@localhost -q wait --timeout 120 "$STATE/rabbitmq/pid" >/dev/null
log "rabbitmq up"

# eventlet in neutron: one thread per worker (threads give "cannot switch to a different thread")
wsgi neutron 9696 /usr/bin/neutron-api 2 1 --pythonpath "$STATE/pylib" \
  --env OS_NEUTRON_CONFIG_DIR="$CONF/neutron" --env "OS_NEUTRON_CONFIG_FILES=neutron.conf;ml2_conf.ini"
wsgi nova-api 8774 /usr/bin/nova-api-wsgi 2 1 --env OS_NOVA_CONFIG_DIR="$CONF/nova"
spawn nova-conductor nova-conductor --config-file "$CONF/nova/nova.conf"
spawn nova-scheduler nova-scheduler --config-file "$CONF/nova/nova.conf"
spawn nova-compute "$STATE/bin/nova-compute" --config-file "$CONF/nova/compute.conf"
for kind in account container object proxy; do
  spawn swift-$kind swift-$kind-server "$CONF/swift/$kind-server.conf" -v
done
for url in http://$IP:9292/ http://$IP:8778/ http://$IP:9696/ http://$IP:8774/ http://$IP:8080/healthcheck; do
  until_http "$url"
done
log "APIs up"
for ((i = 0; i < 240; i++)); do
  [ -n "$($SQL -N -e "select host from nova.compute_nodes where host='ds-compute' and deleted=0" 2>/dev/null)" ] && break
  sleep 0.5
done
$NM cell_v2 discover_hosts >>"$LOGS/nova-manage.log" 2>&1
# The scheduler takes no host whose compute service has not reported in lately, nor one
# without inventory in placement: a boot before both is NoValidHost. On a restart the rows
# are already there from the last run, so wait for a fresh heartbeat of this run's service.
for ((i = 0; i < 240; i++)); do
  fresh=$($SQL -N -e "select count(*) from nova.services where host='ds-compute'
    and \`binary\`='nova-compute' and deleted=0
    and timestampdiff(second, updated_at, utc_timestamp()) between 0 and 15
    and timestampdiff(second, '$(date -u '+%F %T' -d "@$T0")', updated_at) >= 0" \
    2>/dev/null || echo 0)
  stock=$($SQL -N -e "select count(*) from placement.inventories" 2>/dev/null || echo 0)
  [ "${fresh:-0}" -gt 0 ] && [ "${stock:-0}" -gt 0 ] && break
  sleep 0.5
done
$PY "$HERE/provision.py" data "$ADMIN_PASS" "$STATE"
log "READY in $(( $(date +%s) - T0 ))s"

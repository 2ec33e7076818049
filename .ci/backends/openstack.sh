#!/usr/bin/env bash
# Install (idempotently) the Debian packages of the test OpenStack (Zed, bookworm):
# Keystone, Glance, Placement, Nova (API, conductor, scheduler; compute runs from
# python3-nova with the fake virt driver), Neutron API, Swift, RabbitMQ, MariaDB.
# Installs only: nothing is started here (tests/backends/openstack/openstack.sh
# starts the services on 127.0.0.1 when the tests need them). Needs root.
set -euo pipefail

PKGS=(keystone glance-api placement-api nova-api nova-conductor nova-scheduler python3-nova
      neutron-api swift swift-proxy swift-account swift-container swift-object
      python3-keystonemiddleware python3-keystoneclient python3-openstacksdk
      uwsgi-plugin-python3 rabbitmq-server mariadb-server python3-pymysql curl)

# Debian's OpenStack packages ask whether to set up databases, queues and
# endpoints; the test tooling configures everything itself.
PRESEED="keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-api glance/configure_api-endpoint boolean false
placement-common placement/configure_db boolean false
placement-common placement/configure_ksat boolean false
placement-api placement/configure_api-endpoint boolean false
nova-common nova/configure_db boolean false
nova-common nova/configure_rabbit boolean false
nova-common nova/configure_ksat boolean false
nova-common nova/configure_neutron boolean false
nova-common nova/configure_placement boolean false
nova-api novaapi/configure_db boolean false
nova-api nova/configure_api-endpoint boolean false
neutron-common neutron/configure_db boolean false
neutron-common neutron/configure_rabbit boolean false
neutron-common neutron/configure_ksat boolean false
neutron-common neutron/configure_nova boolean false
neutron-api neutron/configure_api-endpoint boolean false"
source "$(dirname "$0")/../debian.sh"
debian_install openstack "${PKGS[@]}"

"""Identity and cloud data for the test OpenStack (idempotent); run by openstack.sh.

Runs with Debian's python3 (keystoneclient, openstacksdk from the packages).
Creates: projects service/demo/other; users admin (bootstrap), demo (member of
demo) and the service users; the catalogue on 127.0.0.1; flavors ds.tiny and
ds.small; a public image "ds-cirros" (1 MiB, never booted); a shared network
"private" with a subnet; an external network "public" with a router to
"private" (no L3 agent: floating IPs exist in Neutron's database only).

  provision.py identity ADMIN_PASS SERVICE_PASS DEMO_PASS
  provision.py data ADMIN_PASS STATE_DIR
"""

import os
import sys
import time

KEYSTONE = "http://127.0.0.1:5000/v3"
REGION = "RegionOne"
CATALOGUE = {
    "glance": ("image", "http://127.0.0.1:9292"),
    "placement": ("placement", "http://127.0.0.1:8778"),
    "nova": ("compute", "http://127.0.0.1:8774/v2.1"),
    "swift": ("object-store", "http://127.0.0.1:8080/v1/AUTH_%(project_id)s"),
    "neutron": ("network", "http://127.0.0.1:9696"),
}


def first(items):
    items = list(items)
    return items[0] if items else None


def identity(admin_pass, service_pass, demo_pass):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from keystoneclient.v3 import client

    auth = v3.Password(auth_url=KEYSTONE, username="admin", password=admin_pass,
                       project_name="admin", user_domain_id="default",
                       project_domain_id="default")
    ks = client.Client(session=session.Session(auth=auth))

    def project(name):
        return (first(ks.projects.list(name=name, domain="default"))
                or ks.projects.create(name, "default"))

    def role(name):
        return first(ks.roles.list(name=name)) or ks.roles.create(name)

    def user(name, password, proj, *roles):
        found = first(ks.users.list(name=name, domain="default"))
        if found is None:
            found = ks.users.create(name, domain="default", password=password,
                                    default_project=proj)
        for r in roles:
            ks.roles.grant(role(r), user=found, project=proj)
        return found

    for r in ("admin", "member", "reader", "service", "ResellerAdmin"):
        role(r)
    service = project("service")
    for name in CATALOGUE:
        user(name, service_pass, service, "admin", "service")
    user("demo", demo_pass, project("demo"), "member")
    admin = first(ks.users.list(name="admin", domain="default"))
    ks.roles.grant(role("member"), user=admin, project=project("demo"))
    for name, (kind, url) in CATALOGUE.items():
        svc = first(ks.services.list(type=kind)) or ks.services.create(name, kind)
        for interface in ("public", "internal", "admin"):
            if not ks.endpoints.list(service=svc, interface=interface, region=REGION):
                ks.endpoints.create(svc, url, interface=interface, region=REGION)
    print("identity ready:", sorted(s.type for s in ks.services.list()))


def data(admin_pass, state_dir):
    import openstack

    conn = openstack.connect(auth_url=KEYSTONE, username="admin", password=admin_pass,
                             project_name="admin", user_domain_name="Default",
                             project_domain_name="Default", region_name=REGION,
                             identity_api_version="3")
    for name, ram, vcpus, disk in (("ds.tiny", 512, 1, 1), ("ds.small", 2048, 2, 20)):
        if not conn.compute.find_flavor(name):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk,
                                       is_public=True)
    if not conn.image.find_image("ds-cirros"):
        path = os.path.join(state_dir, "ds-cirros.img")
        with open(path, "wb") as f:
            f.write(b"\0" * 1024 * 1024)
        image = conn.image.create_image(name="ds-cirros", disk_format="raw",
                                        container_format="bare", visibility="public",
                                        filename=path)
        for _ in range(120):
            if conn.image.get_image(image).status == "active":
                break
            time.sleep(0.5)
    private = conn.network.find_network("private")
    if private is None:
        private = conn.network.create_network(name="private", shared=True)
    subnet = conn.network.find_subnet("private-subnet")
    if subnet is None:
        subnet = conn.network.create_subnet(network_id=private.id, name="private-subnet",
                                            ip_version=4, cidr="192.0.2.0/24",
                                            enable_dhcp=False)
    public = conn.network.find_network("public")
    if public is None:
        public = conn.network.create_network(
            name="public", is_router_external=True, provider_network_type="flat",
            provider_physical_network="public")
    if conn.network.find_subnet("public-subnet") is None:
        conn.network.create_subnet(network_id=public.id, name="public-subnet", ip_version=4,
                                   cidr="198.51.100.0/24", enable_dhcp=False)
    router = conn.network.find_router("ds-router")
    if router is None:
        router = conn.network.create_router(
            name="ds-router", external_gateway_info={"network_id": public.id})
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    print("data ready: flavors", sorted(f.name for f in conn.compute.flavors()),
          "images", sorted(i.name for i in conn.image.images()),
          "networks", sorted(n.name for n in conn.network.networks()))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"identity": identity, "data": data}[command](*args)

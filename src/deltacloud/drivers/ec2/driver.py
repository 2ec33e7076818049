"""The ec2 driver: Amazon EC2, S3, classic ELB and CloudWatch, through boto3.

The provider is an AWS region (default us-east-1), chosen per request. The SDK's
standard endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2,
AWS_ENDPOINT_URL_S3, ...) point it at any EC2/S3-compatible endpoint. Credentials
are the access key id and secret key, as HTTP Basic; see client.py for how they
live only as long as the request. boto3 is imported on first use, never here.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    Params,
    Provider,
    Settings,
    filter_on,
    free_device,
)
from deltacloud.drivers.common.cache import ExpiringCache
from deltacloud.drivers.common.streams import Content
from deltacloud.drivers.ec2 import client as aws
from deltacloud.drivers.ec2 import mapping
from deltacloud.drivers.ec2.errors import translated
from deltacloud.drivers.ec2.s3 import download, upload
from deltacloud.errors import BadRequest, Conflict, Forbidden, MethodNotAllowed, NotFound
from deltacloud.models import (
    Address,
    Blob,
    BlobUpload,
    Bucket,
    Firewall,
    FirewallRule,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LoadBalancer,
    Metric,
    MetricProperty,
    Realm,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.state_machine import machine

# Instance types change rarely: each answer is kept an hour.
PROFILES_TTL = 3600.0

EC2_STATE_NAMES = {v: k for k, v in mapping.STATES.items()}


class Ec2Driver(Driver):
    name = "ec2"
    display_name = "Amazon EC2"
    username_label = "Access Key ID"
    password_label = "Secret Access Key"
    collections: ClassVar = {
        "addresses": (),
        "buckets": ("bucket_location",),
        "firewalls": (),
        "hardware_profiles": (),
        "images": ("owner_id", "image_name", "image_description"),
        "instance_states": (),
        "instances": ("user_data", "authentication_key", "firewalls", "instance_count",
                      "metrics", "attach_snapshot"),
        "keys": (),
        "load_balancers": (),
        "metrics": (),
        "realms": (),
        "storage_snapshots": (),
        "storage_volumes": (),
    }
    # EC2's life cycle: stopped instances start through pending; terminated is finish.
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("pending", "shutting_down", "destroy"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("running", "shutting_down", "destroy"),
        ("stopping", "stopped", None),
        ("stopped", "pending", "start"),
        ("stopped", "shutting_down", "destroy"),
        ("shutting_down", "finish", None),
    )
    default_image_owner = "amazon"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.clients = aws.Clients(settings)
        # Instance types per endpoint and credentials: one user's answer is never another's,
        # and a request without credentials is a 401 whether or not the cache is warm.
        self._profiles: ExpiringCache[list[HardwareProfile]] = ExpiringCache(
            PROFILES_TTL, size=256)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        return [Provider(region, _entrypoints(region)) for region in aws.regions()]

    # -- reaching the cloud ------------------------------------------------------

    def endpoints(self, ctx: CallContext) -> aws.Endpoints:
        return aws.aws_endpoints(ctx.provider, aws.regions(), self.settings.aws_endpoints)

    @contextmanager
    def _aws(self, ctx: CallContext) -> Iterator[aws.AwsSession]:
        """The request's clients, with its credentials set and AWS errors translated."""
        session = aws.AwsSession(ctx, self.endpoints(ctx), self.clients)
        with session.calls():
            yield session

    # -- realms and hardware profiles ---------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self._aws(ctx) as a:
            zones = a.ec2.describe_availability_zones()["AvailabilityZones"]
        realms = [mapping.realm(z) for z in zones]
        return filter_on(realms, filters, "id", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        profiles = filter_on(self._instance_types(ctx), filters, "id")
        arch = filters.get("architecture")
        if arch:
            profiles = [p for p in profiles if (prop := p.property("architecture"))
                        and (arch == prop.default_text or arch in prop.value_texts)]
        return profiles

    def _instance_types(self, ctx: CallContext) -> list[HardwareProfile]:
        creds = ctx.require_credentials()
        endpoints = self.endpoints(ctx)
        key = self._profiles.key(endpoints.ec2, endpoints.region, creds.user, creds.password)
        cached = self._profiles.get(key)
        if cached is not None:
            return cached
        with self._aws(ctx) as a:
            pages = a.ec2.get_paginator("describe_instance_types").paginate()
            types = [t for page in pages for t in page["InstanceTypes"]]
        profiles = sorted((mapping.hardware_profile(t) for t in types), key=_profile_order)
        self._profiles.put(key, profiles)
        return profiles

    # -- images --------------------------------------------------------------------

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        query: dict[str, Any] = {}
        if filters.get("id"):
            query["ImageIds"] = [filters["id"]]
        else:
            query["Owners"] = [filters.get("owner_id") or self.default_image_owner]
            query["Filters"] = [{"Name": "image-type", "Values": ["machine"]}]
        if filters.get("architecture"):
            query.setdefault("Filters", []).append(
                {"Name": "architecture", "Values": [filters["architecture"]]})
        try:
            with self._aws(ctx) as a:
                found = a.ec2.describe_images(**query)["Images"]
        except NotFound:
            return []
        images = [mapping.image(d) for d in found]
        return sorted(images, key=lambda i: (i.owner_id, i.name))

    def image(self, ctx: CallContext, id: str) -> Image:
        """One image, with the hardware profiles of its architecture."""
        found = self.images(ctx, {"id": id})
        if not found:
            raise NotFound("Image not found")
        image = found[0]
        image.hardware_profiles = [
            p.id for p in self._instance_types(ctx)
            if (arch := p.property("architecture"))
            and image.architecture in (arch.default_text, *arch.value_texts)
        ]
        return image

    def create_image(self, ctx: CallContext, params: Params) -> Image:
        instance_id = params["instance_id"]
        name = params.get("name") or f"{instance_id}-{int(time.time())}"
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    created = a.ec2.create_image(InstanceId=instance_id, Name=name,
                                                 Description=params.get("description") or "")
            except NotFound:
                raise BadRequest("Parameter 'instance_id' names no instance") from None
        return self.image(ctx, created["ImageId"])

    def destroy_image(self, ctx: CallContext, id: str) -> None:
        self.image(ctx, id)
        with self._aws(ctx) as a:
            a.ec2.deregister_image(ImageId=id)

    # -- instances -----------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        query: dict[str, Any] = {}
        wanted = []
        if filters.get("state"):
            state = EC2_STATE_NAMES.get(filters["state"].upper())
            if state is None:
                return []
            wanted.append({"Name": "instance-state-name", "Values": [state]})
        if filters.get("realm_id"):
            wanted.append({"Name": "availability-zone", "Values": [filters["realm_id"]]})
        if filters.get("image_id"):
            wanted.append({"Name": "image-id", "Values": [filters["image_id"]]})
        if wanted:
            query["Filters"] = wanted
        if filters.get("id"):
            query["InstanceIds"] = [filters["id"]]
        try:
            with self._aws(ctx) as a:
                pages = a.ec2.get_paginator("describe_instances").paginate(**query)
                return [
                    self._instance(doc, r.get("OwnerId", ""))
                    for page in pages for r in page["Reservations"] for doc in r["Instances"]
                ]
        except NotFound:
            return []

    def create_instance(self, ctx: CallContext, params: Params) -> Instance | list[Instance]:
        count = int(params.get("instance_count") or 1)
        if count < 1:
            raise BadRequest("Parameter 'instance_count' must be at least 1")
        run: dict[str, Any] = {"ImageId": params["image_id"], "MinCount": count,
                               "MaxCount": count}
        if params.get("hwp_id"):
            run["InstanceType"] = params["hwp_id"]
        if params.get("realm_id"):
            run["Placement"] = {"AvailabilityZone": params["realm_id"]}
        if params.get("keyname"):
            run["KeyName"] = params["keyname"]
        if params.get("user_data"):  # base64, parsed at the edge
            # The SDK base64-encodes it again on the wire.
            run["UserData"] = base64.b64decode(params["user_data"]).decode("latin-1")
        if params.get("metrics"):
            run["Monitoring"] = {"Enabled": params["metrics"] == "true"}
        groups = [g.strip() for g in str(params.get("firewalls") or "").split(",") if g.strip()]
        if groups:
            ids = [g for g in groups if g.startswith("sg-")]
            names = [g for g in groups if not g.startswith("sg-")]
            if ids:
                run["SecurityGroupIds"] = ids
            if names:
                run["SecurityGroups"] = names
        snapshot, device = params.get("snapshot_id"), params.get("device_name")
        if snapshot or device:
            if not (snapshot and device):
                raise BadRequest("Parameters 'snapshot_id' and 'device_name' go together")
            run["BlockDeviceMappings"] = [{"DeviceName": device,
                                           "Ebs": {"SnapshotId": snapshot}}]
        if params.get("name"):
            run["TagSpecifications"] = [{"ResourceType": "instance",
                                         "Tags": [{"Key": "Name", "Value": params["name"]}]}]
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    reservation = a.ec2.run_instances(**run)
            except NotFound as exc:  # an unknown image, key, group or zone
                raise BadRequest(exc.message) from None
        owner = reservation.get("OwnerId", "")
        created = [self._instance(doc, owner) for doc in reservation["Instances"]]
        return created[0] if len(created) == 1 else created

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        with self._aws(ctx) as a:
            a.ec2.start_instances(InstanceIds=[id])
        return self.instance(ctx, id)

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        with self._aws(ctx) as a:
            a.ec2.stop_instances(InstanceIds=[id])
        return self.instance(ctx, id)

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        with self._aws(ctx) as a:
            a.ec2.reboot_instances(InstanceIds=[id])
        return self.instance(ctx, id)

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self._aws(ctx) as a:
            a.ec2.terminate_instances(InstanceIds=[id])

    def _instance(self, doc: dict[str, Any], owner: str) -> Instance:
        state = mapping.STATES.get(doc.get("State", {}).get("Name", ""), "PENDING")
        return mapping.instance(doc, owner, self.instance_actions(state))

    # -- keys ------------------------------------------------------------------------

    def keys(self, ctx: CallContext, filters: Filters) -> list[Key]:
        query = {"KeyNames": [filters["id"]]} if filters.get("id") else {}
        try:
            with self._aws(ctx) as a:
                found = a.ec2.describe_key_pairs(**query)["KeyPairs"]
        except NotFound:
            return []
        return [mapping.key(d) for d in found]

    def create_key(self, ctx: CallContext, params: Params) -> Key:
        with self._aws(ctx) as a:
            if params.get("public_key"):
                made = a.ec2.import_key_pair(KeyName=params["name"],
                                             PublicKeyMaterial=params["public_key"].encode())
            else:
                made = a.ec2.create_key_pair(KeyName=params["name"])
        return mapping.key(made)  # the private key shows here once, never again

    def destroy_key(self, ctx: CallContext, id: str) -> None:
        self.key(ctx, id)  # EC2 deletes a missing key without complaint: 404 here
        with self._aws(ctx) as a:
            a.ec2.delete_key_pair(KeyName=id)

    # -- storage volumes and snapshots ---------------------------------------------

    def storage_volumes(self, ctx: CallContext, filters: Filters) -> list[StorageVolume]:
        query = {"VolumeIds": [filters["id"]]} if filters.get("id") else {}
        try:
            with self._aws(ctx) as a:
                pages = a.ec2.get_paginator("describe_volumes").paginate(**query)
                volumes = [mapping.volume(d) for page in pages for d in page["Volumes"]]
        except NotFound:
            return []
        return filter_on(volumes, filters, "state")

    def create_storage_volume(self, ctx: CallContext, params: Params) -> StorageVolume:
        create: dict[str, Any] = {}
        if params.get("snapshot_id"):
            create["SnapshotId"] = params["snapshot_id"]
        if params.get("capacity") or not params.get("snapshot_id"):
            create["Size"] = int(params.get("capacity") or 1)
        if params.get("name"):
            create["TagSpecifications"] = [{"ResourceType": "volume",
                                            "Tags": [{"Key": "Name", "Value": params["name"]}]}]
        zone = params.get("realm_id") or self.realms(ctx, {"state": "AVAILABLE"})[0].id
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    made = a.ec2.create_volume(AvailabilityZone=zone, **create)
            except NotFound as exc:
                raise BadRequest(exc.message) from None
        return mapping.volume(made)

    def attach_storage_volume(self, ctx: CallContext, id: str, params: Params) -> StorageVolume:
        with self._aws(ctx) as a:
            device = params.get("device") or self._free_device(a, params["instance_id"])
            a.ec2.attach_volume(VolumeId=id, InstanceId=params["instance_id"], Device=device)
        return self.storage_volume(ctx, id)

    @staticmethod
    def _free_device(a: aws.AwsSession, instance_id: str) -> str:
        try:
            with a.translated():
                reservations = a.ec2.describe_instances(
                    InstanceIds=[instance_id])["Reservations"]
        except NotFound:
            raise BadRequest("Parameter 'instance_id' names no instance") from None
        used = [m.get("DeviceName", "") for r in reservations for doc in r["Instances"]
                for m in doc.get("BlockDeviceMappings") or ()]
        return free_device(used)

    def detach_storage_volume(self, ctx: CallContext, id: str) -> StorageVolume:
        volume = self.storage_volume(ctx, id)
        if volume.instance_id is None:
            raise MethodNotAllowed(f"The volume is {volume.state}: it is not attached")
        with self._aws(ctx) as a:
            a.ec2.detach_volume(VolumeId=id, InstanceId=volume.instance_id,
                                Device=volume.device or "")
        return self.storage_volume(ctx, id)

    def destroy_storage_volume(self, ctx: CallContext, id: str) -> None:
        with self._aws(ctx) as a:
            a.ec2.delete_volume(VolumeId=id)

    def storage_snapshots(self, ctx: CallContext, filters: Filters) -> list[StorageSnapshot]:
        query: dict[str, Any] = (
            {"SnapshotIds": [filters["id"]]} if filters.get("id") else {"OwnerIds": ["self"]})
        try:
            with self._aws(ctx) as a:
                pages = a.ec2.get_paginator("describe_snapshots").paginate(**query)
                return [mapping.snapshot(d) for page in pages for d in page["Snapshots"]]
        except NotFound:
            return []

    def create_storage_snapshot(self, ctx: CallContext, params: Params) -> StorageSnapshot:
        create: dict[str, Any] = {"VolumeId": params["volume_id"]}
        if params.get("description"):
            create["Description"] = params["description"]
        if params.get("name"):
            create["TagSpecifications"] = [{"ResourceType": "snapshot",
                                            "Tags": [{"Key": "Name", "Value": params["name"]}]}]
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    made = a.ec2.create_snapshot(**create)
            except NotFound:
                raise BadRequest("Parameter 'volume_id' names no volume") from None
        return mapping.snapshot(made)

    def destroy_storage_snapshot(self, ctx: CallContext, id: str) -> None:
        with self._aws(ctx) as a:
            a.ec2.delete_snapshot(SnapshotId=id)

    # -- addresses -------------------------------------------------------------------

    def addresses(self, ctx: CallContext, filters: Filters) -> list[Address]:
        return [mapping.address(d) for d in self._address_docs(ctx, filters.get("id"))]

    def _address_docs(self, ctx: CallContext, ip: str | None) -> list[dict[str, Any]]:
        try:
            with self._aws(ctx) as a:
                return a.ec2.describe_addresses(**({"PublicIps": [ip]} if ip else {}))[
                    "Addresses"]
        except (NotFound, BadRequest):
            if ip:  # an unknown or malformed address
                return []
            raise

    def _address_doc(self, ctx: CallContext, ip: str) -> dict[str, Any]:
        found = self._address_docs(ctx, ip)
        if not found:
            raise NotFound("Address not found")
        return found[0]

    def create_address(self, ctx: CallContext) -> Address:
        with self._aws(ctx) as a:
            made = a.ec2.allocate_address(Domain="vpc")
        return Address(made["PublicIp"])

    def destroy_address(self, ctx: CallContext, id: str) -> None:
        doc = self._address_doc(ctx, id)
        if doc.get("InstanceId") or doc.get("AssociationId"):
            raise Conflict("The address is associated: disassociate it first")
        with self._aws(ctx) as a:
            if doc.get("AllocationId"):
                a.ec2.release_address(AllocationId=doc["AllocationId"])
            else:
                a.ec2.release_address(PublicIp=id)

    def associate_address(self, ctx: CallContext, id: str, instance_id: str) -> Address:
        doc = self._address_doc(ctx, id)
        if doc.get("InstanceId"):
            raise Conflict("The address is associated already")
        target = ({"AllocationId": doc["AllocationId"]} if doc.get("AllocationId")
                  else {"PublicIp": id})
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    a.ec2.associate_address(InstanceId=instance_id, **target)
            except NotFound:
                raise BadRequest("Parameter 'instance_id' names no instance") from None
        return Address(id, instance_id)

    def disassociate_address(self, ctx: CallContext, id: str) -> Address:
        doc = self._address_doc(ctx, id)
        if not (doc.get("InstanceId") or doc.get("AssociationId")):
            raise Conflict("The address is not associated")
        with self._aws(ctx) as a:
            if doc.get("AssociationId"):
                a.ec2.disassociate_address(AssociationId=doc["AssociationId"])
            else:
                a.ec2.disassociate_address(PublicIp=id)
        return Address(id)

    # -- firewalls (security groups) ---------------------------------------------

    def firewalls(self, ctx: CallContext, filters: Filters) -> list[Firewall]:
        query = _group_query(filters["id"]) if filters.get("id") else {}
        try:
            with self._aws(ctx) as a:
                pages = a.ec2.get_paginator("describe_security_groups").paginate(**query)
                return [mapping.firewall(d) for page in pages for d in page["SecurityGroups"]]
        except NotFound:
            return []

    def create_firewall(self, ctx: CallContext, params: Params) -> Firewall:
        with self._aws(ctx) as a:
            made = a.ec2.create_security_group(GroupName=params["name"],
                                               Description=params["description"])
        return self.firewall(ctx, made["GroupId"])

    def destroy_firewall(self, ctx: CallContext, id: str) -> None:
        firewall = self.firewall(ctx, id)
        with self._aws(ctx) as a:
            a.ec2.delete_security_group(GroupId=firewall.id)

    def create_firewall_rule(self, ctx: CallContext, id: str, rule: FirewallRule) -> Firewall:
        firewall = self.firewall(ctx, id)
        with self._aws(ctx) as a:
            a.ec2.authorize_security_group_ingress(
                GroupId=firewall.id, IpPermissions=[mapping.permission_from_rule(rule)])
        return self.firewall(ctx, firewall.id)

    def destroy_firewall_rule(self, ctx: CallContext, id: str, rule_id: str) -> None:
        firewall = self.firewall(ctx, id)
        if not any(r.id == rule_id for r in firewall.rules):
            raise NotFound("Firewall rule not found")
        with self._aws(ctx) as a:
            a.ec2.revoke_security_group_ingress(
                GroupId=firewall.id, IpPermissions=[mapping.permission_from_rule_id(rule_id)])

    # -- load balancers (classic ELB) -------------------------------------------------

    def load_balancers(self, ctx: CallContext, filters: Filters) -> list[LoadBalancer]:
        query = {"LoadBalancerNames": [filters["id"]]} if filters.get("id") else {}
        try:
            with self._aws(ctx) as a:
                pages = a.elb.get_paginator("describe_load_balancers").paginate(**query)
                return [mapping.load_balancer(d)
                        for page in pages for d in page["LoadBalancerDescriptions"]]
        except NotFound:
            return []

    def create_load_balancer(self, ctx: CallContext, params: Params) -> LoadBalancer:
        protocol = params["listener_protocol"]
        with self._aws(ctx) as a:
            a.elb.create_load_balancer(
                LoadBalancerName=params["name"],
                AvailabilityZones=[params["realm_id"]],
                Listeners=[{"Protocol": protocol, "InstanceProtocol": protocol,
                            "LoadBalancerPort": int(params["listener_balancer_port"]),
                            "InstancePort": int(params["listener_instance_port"])}],
            )
        return self.load_balancer(ctx, params["name"])

    def destroy_load_balancer(self, ctx: CallContext, id: str) -> None:
        self.load_balancer(ctx, id)  # ELB deletes a missing balancer without complaint
        with self._aws(ctx) as a:
            a.elb.delete_load_balancer(LoadBalancerName=id)

    def register_load_balancer_instance(self, ctx: CallContext, id: str,
                                        instance_id: str) -> LoadBalancer:
        self.load_balancer(ctx, id)
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    a.elb.register_instances_with_load_balancer(
                        LoadBalancerName=id, Instances=[{"InstanceId": instance_id}])
            except NotFound:
                raise BadRequest("Parameter 'instance_id' names no instance") from None
        return self.load_balancer(ctx, id)

    def unregister_load_balancer_instance(self, ctx: CallContext, id: str,
                                          instance_id: str) -> LoadBalancer:
        self.load_balancer(ctx, id)
        with self._aws(ctx) as a:
            a.elb.deregister_instances_from_load_balancer(
                LoadBalancerName=id, Instances=[{"InstanceId": instance_id}])
        return self.load_balancer(ctx, id)

    # -- metrics (CloudWatch) -----------------------------------------------------------

    def metrics(self, ctx: CallContext, filters: Filters) -> list[Metric]:
        query: dict[str, Any] = {"Namespace": "AWS/EC2"}
        if filters.get("id"):
            query["Dimensions"] = [{"Name": "InstanceId", "Value": filters["id"]}]
        by_instance: dict[str, list[str]] = {}
        with self._aws(ctx) as a:
            for page in a.cloudwatch.get_paginator("list_metrics").paginate(**query):
                for m in page["Metrics"]:
                    for d in m.get("Dimensions") or ():
                        if d["Name"] == "InstanceId":
                            names = by_instance.setdefault(d["Value"], [])
                            if m["MetricName"] not in names:
                                names.append(m["MetricName"])
        return [Metric(i, i, [MetricProperty(n) for n in sorted(names)])
                for i, names in by_instance.items()]

    def metric(self, ctx: CallContext, id: str) -> Metric:
        """The last hour of an instance's figures (minimum, maximum, average per minute)."""
        found = self.metrics(ctx, {"id": id})
        if not found:
            self.instance(ctx, id)  # 404 for an unknown instance
            return Metric(id, id, [])
        end = datetime.now(UTC)
        properties = []
        with self._aws(ctx) as a:
            for prop in found[0].properties:
                points = a.cloudwatch.get_metric_statistics(
                    Namespace="AWS/EC2", MetricName=prop.name,
                    Dimensions=[{"Name": "InstanceId", "Value": id}],
                    StartTime=end - timedelta(hours=1), EndTime=end, Period=60,
                    Statistics=["Minimum", "Maximum", "Average"],
                )["Datapoints"]
                points.sort(key=lambda p: p["Timestamp"])
                properties.append(MetricProperty(prop.name, [mapping.sample(p) for p in points]))
        return Metric(id, id, properties)

    # -- buckets and blobs (S3) ---------------------------------------------------------

    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]:
        if filters.get("id"):
            try:
                return [self.bucket(ctx, filters["id"])]
            except NotFound:
                return []
        with self._aws(ctx) as a:
            found = a.s3.list_buckets().get("Buckets") or []
        return [Bucket(b["Name"], b["Name"]) for b in found]

    def bucket(self, ctx: CallContext, id: str) -> Bucket:
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    where = a.s3.get_bucket_location(Bucket=id).get("LocationConstraint")
                    pages = a.s3.get_paginator("list_objects_v2").paginate(Bucket=id)
                    keys = [o["Key"] for page in pages for o in page.get("Contents") or ()]
            except NotFound:
                raise NotFound("Bucket not found") from None
        return Bucket(id, id, len(keys), keys, where or aws.DEFAULT_REGION)

    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket:
        with self._aws(ctx) as a:
            location = params.get("location") or a.region
            create: dict[str, Any] = {"Bucket": params["name"]}
            if location != aws.DEFAULT_REGION:
                create["CreateBucketConfiguration"] = {"LocationConstraint": location}
            a.s3.create_bucket(**create)
        return Bucket(params["name"], params["name"], 0, [], location)

    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        with self._aws(ctx) as a:
            try:
                with a.translated():
                    a.s3.delete_bucket(Bucket=id)
            except NotFound:
                raise NotFound("Bucket not found") from None

    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob:
        with self._aws(ctx) as a:
            return mapping.blob(bucket_id, blob_id, self._head(a, bucket_id, blob_id))

    @staticmethod
    def _head(a: aws.AwsSession, bucket_id: str, blob_id: str) -> dict[str, Any]:
        """HeadObject; HEAD answers carry no error code, so a failure asks again with a GET."""
        try:
            with a.translated():
                return a.s3.head_object(Bucket=bucket_id, Key=blob_id)
        except (NotFound, Forbidden) as exc:
            Ec2Driver._check_bucket(a, bucket_id)
            if isinstance(exc, NotFound):
                raise NotFound("Blob not found") from None
            raise

    @staticmethod
    def _check_bucket(a: aws.AwsSession, bucket_id: str) -> None:
        """404 for a missing bucket, 401 for refused credentials (GET: errors have codes)."""
        try:
            with a.translated():
                a.s3.get_bucket_location(Bucket=bucket_id)
        except NotFound:
            raise NotFound("Bucket not found") from None

    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    blob: BlobUpload) -> Blob:
        with self._aws(ctx) as a:
            self._check_bucket(a, bucket_id)
            upload(a.s3, bucket_id, blob_id, blob)
            return mapping.blob(bucket_id, blob_id, self._head(a, bucket_id, blob_id))

    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> Content:
        with self._aws(ctx) as a:
            ranged = {"Range": f"bytes={first}-{last}"} if last >= first else {}
            try:
                with a.translated():
                    body = a.s3.get_object(Bucket=bucket_id, Key=blob_id, **ranged)["Body"]
            except NotFound:
                raise NotFound("Blob not found") from None
        return download(body, translated)

    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             metadata: dict[str, str]) -> Blob:
        with self._aws(ctx) as a:
            head = self._head(a, bucket_id, blob_id)
            a.s3.copy_object(
                Bucket=bucket_id, Key=blob_id, CopySource={"Bucket": bucket_id, "Key": blob_id},
                Metadata=metadata, MetadataDirective="REPLACE",
                ContentType=head.get("ContentType") or "application/octet-stream",
            )
            return mapping.blob(bucket_id, blob_id, self._head(a, bucket_id, blob_id))

    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None:
        with self._aws(ctx) as a:
            self._head(a, bucket_id, blob_id)  # S3 deletes a missing key without complaint
            a.s3.delete_object(Bucket=bucket_id, Key=blob_id)


def _group_query(id: str) -> dict[str, Any]:
    return {"GroupIds": [id]} if id.startswith("sg-") else {"GroupNames": [id]}


def _profile_order(profile: HardwareProfile) -> tuple[str, int, str]:
    family, _, size = profile.id.partition(".")
    cpu = profile.property("cpu")
    return family, int(cpu.default) if cpu else 0, size


def _entrypoints(region: str) -> dict[str, str]:
    """The public endpoints of a region, from botocore's endpoint data."""
    found = {}
    for kind, service in (("ec2", "ec2"), ("s3", "s3")):
        hostname = aws.hostname(service, region)
        if hostname:
            found[kind] = f"https://{hostname}"
    return found

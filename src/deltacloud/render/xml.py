"""XML in Deltacloud's element and attribute names (server/views/**/*.xml.haml)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from deltacloud.models import (
    Address,
    Blob,
    Bucket,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    InstanceAddress,
    Key,
    LoadBalancer,
    Metric,
    Realm,
    StateMachine,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.api import EntryFeature, EntryPoint
from deltacloud.models.command import CommandOutput
from deltacloud.models.driver import DriverInfo
from deltacloud.models.hardware_profile import UNITS
from deltacloud.render import View, instance_links, segment

PROLOG = "<?xml version='1.0' encoding='utf-8' ?>\n"


# Characters XML 1.0 cannot carry at all (control characters but tab, CR and LF; lone
# surrogates; U+FFFE, U+FFFF): a value holding one is written with U+FFFD in its place,
# so one odd resource name never breaks a whole listing.
_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_TEXT_SPECIALS = re.compile(f"[&<>{_NOT_XML}]")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INVALID = re.compile(f"[{_NOT_XML}]")


def _escaped(match: re.Match[str], table: dict[str, str]) -> str:
    return table.get(match.group(), "\ufffd")


def escape(text: str) -> str:
    """Escape character data; most values need nothing, so look before replacing."""
    if text.isascii() and text.isprintable():  # no control character: the common case
        if "&" in text or "<" in text or ">" in text:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text
    if _TEXT_SPECIALS.search(text) is None:
        return text
    return _TEXT_SPECIALS.sub(lambda m: _escaped(m, _TEXT_ESCAPES), text)


_ATTR_SPECIALS = re.compile(f'[&<>"\n\r\t{_NOT_XML}]')
_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                 "\r": "&#13;", "\t": "&#9;"}


def quoteattr(value: Any) -> str:
    text = value if type(value) is str else str(value)
    if text.isascii() and text.isprintable() and not (
            "&" in text or "<" in text or ">" in text or '"' in text):
        return f'"{text}"'
    if _ATTR_SPECIALS.search(text):
        text = _ATTR_SPECIALS.sub(lambda m: _escaped(m, _ATTR_ESCAPES), text)
    return f'"{text}"'


class Writer:
    """Appends indented XML to a list of strings; the fastest way CPython builds text."""

    def __init__(self) -> None:
        self.parts: list[str] = [PROLOG]
        self.pad = ""  # the current indentation

    def _start(self, tag: str, attrs: dict[str, Any]) -> str:
        if not attrs:
            return f"{self.pad}<{tag}"
        attr_text = "".join([f" {k}={quoteattr(v)}" for k, v in attrs.items() if v is not None])
        return f"{self.pad}<{tag}{attr_text}"

    def leaf(self, tag: str, text: Any = None, /, **attrs: Any) -> None:
        start = self._start(tag, attrs)
        if text is None:
            self.parts.append(f"{start}/>\n")
        else:
            self.parts.append(f"{start}>{escape(text if type(text) is str else str(text))}"
                              f"</{tag}>\n")

    def cdata(self, tag: str, text: str, /, **attrs: Any) -> None:
        safe = _INVALID.sub("\ufffd", text).replace("]]>", "]]]]><![CDATA[>")
        self.parts.append(f"{self._start(tag, attrs)}><![CDATA[{safe}]]></{tag}>\n")

    def open(self, tag: str, /, **attrs: Any) -> None:
        self.parts.append(f"{self._start(tag, attrs)}>\n")
        self.pad += "  "

    def close(self, tag: str) -> None:
        self.pad = self.pad[:-2]
        self.parts.append(f"{self.pad}</{tag}>\n")

    def text(self) -> str:
        return "".join(self.parts)


# -- one function per model --------------------------------------------------


def _entry_point(w: Writer, api: EntryPoint, view: View) -> None:
    w.open("api", driver=api.driver, provider=api.provider, version=api.version)
    for link in api.links:
        if not link.features:
            w.leaf("link", href=view.url(link.rel), rel=link.rel)
            continue
        w.open("link", href=view.url(link.rel), rel=link.rel)
        for feature in link.features:
            _feature(w, feature)
        w.close("link")
    w.close("api")


def _feature(w: Writer, feature: EntryFeature) -> None:
    w.open("feature", name=feature.name, rel=feature.operation)
    for param in feature.params:
        w.leaf("param", name=param.name)
    w.close("feature")


def _driver(w: Writer, driver: DriverInfo, view: View) -> None:
    w.open("driver", href=view.url("drivers", driver.name), id=driver.name)
    w.leaf("name", driver.display_name)
    for provider in driver.providers:
        if not provider.entrypoints:
            w.leaf("provider", id=provider.id)
            continue
        w.open("provider", id=provider.id)
        for kind, url in provider.entrypoints.items():
            w.cdata("entrypoint", url, kind=kind)
        w.close("provider")
    w.close("driver")


def _realm(w: Writer, realm: Realm, view: View) -> None:
    w.open("realm", href=view.url("realms", realm.id), id=realm.id)
    w.leaf("name", realm.name)
    w.leaf("state", realm.state)
    if realm.limit != "unlimited":
        w.cdata("limit", realm.limit)
    w.close("realm")


def _hardware_profile(w: Writer, hwp: HardwareProfile, view: View) -> None:
    w.open("hardware_profile", href=view.url("hardware_profiles", hwp.id), id=hwp.id)
    w.leaf("id", hwp.id)
    w.leaf("name", hwp.name)
    for prop in hwp.properties:
        attrs = {"kind": prop.kind, "name": prop.name, "unit": prop.unit,
                 "value": prop.default_text}
        if prop.kind == "fixed":
            w.leaf("property", **attrs)
            continue
        w.open("property", **attrs)
        w.leaf("param", href=view.url("instances"), method="post", name=prop.param,
               operation="create")
        if prop.kind == "range":
            w.leaf("range", first=prop.first, last=prop.last)
        else:
            w.open("enum")
            for value in prop.value_texts:
                w.leaf("entry", value=value)
            w.close("enum")
        w.close("property")
    w.close("hardware_profile")


def _image(w: Writer, image: Image, view: View) -> None:
    w.open("image", href=view.url("images", image.id), id=image.id)
    w.leaf("name", image.name)
    w.leaf("description", image.description)
    w.leaf("owner_id", image.owner_id)
    w.leaf("architecture", image.architecture)
    w.leaf("state", image.state)
    if image.creation_time:
        w.leaf("creation_time", image.creation_time)
    w.open("hardware_profiles")
    for hwp_id in image.hardware_profiles:
        w.leaf("hardware_profile", href=view.url("hardware_profiles", hwp_id), id=hwp_id,
               rel="hardware_profile")
    w.close("hardware_profiles")
    w.leaf("root_type", image.root_type)
    w.open("actions")
    w.leaf("link", href=f"{view.url('instances')};image_id={image.id}", method="post",
           rel="create_instance")
    if view.supports("destroy_image"):
        w.leaf("link", href=view.url("images", image.id), method="delete", rel="destroy_image")
    w.close("actions")
    w.close("image")


def _addresses(w: Writer, tag: str, addresses: list[InstanceAddress]) -> None:
    w.open(tag)
    for a in addresses:
        w.leaf("address", a.address, type=a.type, port=a.port)
    w.close(tag)


def _instance(w: Writer, inst: Instance, view: View) -> None:
    w.open("instance", href=view.url("instances", inst.id), id=inst.id)
    w.leaf("name", inst.name)
    w.leaf("owner_id", inst.owner_id)
    if inst.image_id:  # empty for machines not made from an image the cloud still knows
        w.leaf("image", href=view.url("images", inst.image_id), id=inst.image_id)
    if inst.realm_id:
        w.leaf("realm", href=view.url("realms", inst.realm_id), id=inst.realm_id)
    w.leaf("state", inst.state)
    hwp_url = view.url("hardware_profiles", inst.hardware_profile_id)
    if inst.hardware_profile_overrides:
        w.open("hardware_profile", href=hwp_url, id=inst.hardware_profile_id)
        for name, value in inst.hardware_profile_overrides.items():
            w.leaf("property", kind="fixed", name=name, unit=UNITS.get(name, "label"),
                   value=value)
        w.close("hardware_profile")
    else:
        w.leaf("hardware_profile", href=hwp_url, id=inst.hardware_profile_id)
    w.open("actions")
    for link in instance_links(inst, view):
        w.leaf("link", **link)
    w.close("actions")
    if inst.launch_time:
        w.leaf("launch_time", inst.launch_time)
    _addresses(w, "public_addresses", inst.public_addresses)
    _addresses(w, "private_addresses", inst.private_addresses)
    if inst.firewalls is not None:
        w.open("firewalls")
        for fw in inst.firewalls:
            w.leaf("firewall", href=view.url("firewalls", fw), id=fw)
        w.close("firewalls")
    w.open("storage_volumes")
    for volume_id, device in inst.storage_volumes:
        w.leaf("storage_volume", device=device, href=view.url("storage_volumes", volume_id),
               id=volume_id)
    w.close("storage_volumes")
    _authentication(w, inst, view)
    w.close("instance")


def _authentication(w: Writer, inst: Instance, view: View) -> None:
    if view.has_feature("instances", "authentication_password"):
        kind = "password"
    elif view.has_feature("instances", "authentication_key"):
        kind = "key"
    else:
        return
    w.open("authentication", type=kind)
    if inst.password is not None:
        w.open("login")
        w.leaf("username", inst.username or "")
        w.cdata("password", inst.password)
        w.close("login")
    if inst.keyname is not None:
        w.open("login")
        w.leaf("keyname", inst.keyname)
        w.close("login")
    w.close("authentication")


def _key(w: Writer, key: Key, view: View) -> None:
    w.open("key", href=view.url("keys", key.id), id=key.id, type=key.credential_type)
    w.leaf("name", key.name)
    w.open("actions")
    if view.supports("destroy_key"):
        w.leaf("link", href=view.url("keys", key.id), method="delete", rel="destroy")
    w.close("actions")
    if key.fingerprint:
        w.leaf("fingerprint", key.fingerprint)
    if key.pem_rsa_key:
        w.cdata("pem", key.pem_rsa_key)
    if key.credential_type == "password":
        w.cdata("username", key.username or "")
        w.cdata("password", key.password or "")
    if key.state:
        w.leaf("state", key.state)
    w.close("key")


def _storage_volume(w: Writer, vol: StorageVolume, view: View) -> None:
    w.open("storage_volume", href=view.url("storage_volumes", vol.id), id=vol.id)
    if vol.created:
        w.leaf("created", vol.created)
    w.leaf("capacity", vol.capacity, unit="GB")
    if vol.kind:
        w.leaf("kind", vol.kind)
    w.leaf("name", vol.name or vol.id)
    if vol.description:
        w.leaf("description", vol.description)
    if vol.device:
        w.leaf("device", vol.device)
    if vol.realm_id:
        w.leaf("realm", href=view.url("realms", vol.realm_id), id=vol.realm_id)
        w.leaf("realm_id", vol.realm_id)
    w.leaf("state", vol.state)
    if vol.instance_id:
        w.open("mount")
        w.leaf("instance", href=view.url("instances", vol.instance_id), id=vol.instance_id)
        if vol.device:
            w.leaf("device", name=vol.device)
        w.close("mount")
    if vol.actions:
        w.open("actions")
        for a in vol.actions:
            w.leaf("link", href=view.url("storage_volumes", vol.id, a), method="post", rel=a)
        w.close("actions")
    w.close("storage_volume")


def _storage_snapshot(w: Writer, snap: StorageSnapshot, view: View) -> None:
    w.open("storage_snapshot", href=view.url("storage_snapshots", snap.id), id=snap.id)
    w.leaf("name", snap.name or snap.id)
    if snap.description:
        w.leaf("description", snap.description)
    w.leaf("created", snap.created or "")
    w.leaf("state", snap.state)
    w.leaf("storage_volume", href=view.url("storage_volumes", snap.storage_volume_id),
           id=snap.storage_volume_id)
    w.close("storage_snapshot")


def _bucket(w: Writer, bucket: Bucket, view: View) -> None:
    w.open("bucket", href=view.url("buckets", bucket.id), id=bucket.id)
    w.leaf("name", bucket.name)
    w.leaf("size", bucket.size)
    if bucket.location:
        w.leaf("location", bucket.location)
    for blob_id in bucket.blob_list:
        w.leaf("blob", href=view.url("buckets", bucket.id, blob_id), id=blob_id)
    w.close("bucket")


def _blob(w: Writer, blob: Blob, view: View) -> None:
    href = view.url("buckets", blob.bucket, blob.id)
    w.open("blob", href=href, id=blob.id)
    w.leaf("bucket", blob.bucket)
    w.leaf("content_length", blob.content_length)
    w.leaf("content_type", blob.content_type)
    w.leaf("last_modified", blob.last_modified or "")
    w.open("user_metadata")
    for key, value in blob.user_metadata.items():
        w.cdata("entry", value, key=key)
    w.close("user_metadata")
    w.leaf("content", href=f"{href}/content", rel="blob_content")
    w.close("blob")


def _address(w: Writer, address: Address, view: View) -> None:
    w.open("address", href=view.url("addresses", address.id), id=address.id)
    w.leaf("ip", address.id)
    w.open("actions")
    if view.supports("destroy_address"):
        w.leaf("link", href=view.url("addresses", address.id), method="delete", rel="destroy")
    if address.instance_id is None and view.supports("associate_address"):
        w.leaf("link", href=view.url("addresses", address.id, "associate"), method="post",
               rel="associate")
    if address.instance_id is not None and view.supports("disassociate_address"):
        w.leaf("link", href=view.url("addresses", address.id, "disassociate"), method="post",
               rel="disassociate")
    w.close("actions")
    if address.instance_id is not None:
        w.leaf("instance", href=view.url("instances", address.instance_id),
               id=address.instance_id)
    w.close("address")


def _firewall(w: Writer, fw: Firewall, view: View) -> None:
    w.open("firewall", href=view.url("firewalls", fw.id), id=fw.id)
    w.open("actions")
    w.leaf("link", href=view.url("firewalls", fw.id), method="delete", rel="destroy")
    w.leaf("link", href=view.url("firewalls", fw.id, "rules"), method="post", rel="add_rule")
    w.close("actions")
    w.cdata("name", fw.name)
    w.cdata("description", fw.description)
    if fw.owner_id:
        w.leaf("owner_id", fw.owner_id)
    w.open("rules")
    for rule in fw.rules:
        rule_url = view.url("firewalls", fw.id, rule.id)
        w.open("rule", href=rule_url, id=rule.id)
        w.open("actions")
        w.leaf("link", href=rule_url, method="delete", rel="destroy")
        w.close("actions")
        w.leaf("allow_protocol", rule.allow_protocol)
        w.leaf("port_from", rule.port_from)
        w.leaf("port_to", rule.port_to)
        w.leaf("direction", rule.direction)
        w.open("sources")
        for src in rule.sources:
            if src.type == "group":
                w.leaf("source", name=src.name, owner=src.owner, type="group")
            else:
                w.leaf("source", address=src.address, family=src.family, prefix=src.prefix,
                       type="address")
        w.close("sources")
        w.close("rule")
    w.close("rules")
    w.close("firewall")


def _load_balancer(w: Writer, lb: LoadBalancer, view: View) -> None:
    w.open("load_balancer", href=view.url("load_balancers", lb.id), id=lb.id)
    w.open("actions")
    w.leaf("link", href=view.url("load_balancers", lb.id), method="delete", rel="destroy")
    w.leaf("link", href=view.url("load_balancers", lb.id, "register"), method="post",
           rel="register")
    w.close("actions")
    w.open("public_addresses")
    for address in lb.public_addresses:
        w.leaf("address", address)
    w.close("public_addresses")
    w.leaf("created_at", lb.created_at or "")
    for realm in lb.realms[:1]:
        w.leaf("realm", href=view.url("realms", realm), id=realm)
    w.open("listeners")
    for listener in lb.listeners:
        w.open("listener", protocol=listener.protocol)
        w.leaf("load_balancer_port", listener.load_balancer_port)
        w.leaf("instance_port", listener.instance_port)
        w.close("listener")
    w.close("listeners")
    w.open("instances")
    for instance_id in lb.instances:
        w.open("instance", href=view.url("instances", instance_id), id=instance_id)
        w.leaf("link", href=f"{view.url('load_balancers', lb.id, 'unregister')}"
               f";instance_id={segment(instance_id)}", method="post", rel="unregister")
        w.close("instance")
    w.close("instances")
    w.close("load_balancer")


def _metric(w: Writer, metric: Metric, view: View) -> None:
    w.open("metric", href=view.url("metrics", metric.id), id=metric.id)
    w.leaf("entity", metric.entity or metric.id)
    w.open("properties")
    for prop in metric.properties:
        if not prop.values:
            w.leaf(prop.name)
            continue
        w.open(prop.name)
        for sample in prop.values:
            w.open("sample")
            for key, value in sample.items():
                w.leaf("property", name=key, value=value)
            w.close("sample")
        w.close(prop.name)
    w.close("properties")
    w.close("metric")


def _state_machine(w: Writer, machine: StateMachine, view: View) -> None:
    w.open("states")
    for state in machine.states:
        transitions = machine.transitions_from(state)
        if not transitions:
            w.leaf("state", name=state)
            continue
        w.open("state", name=state)
        for t in transitions:
            if t.automatic:
                w.leaf("transition", auto="true", to=t.to)
            else:
                w.leaf("transition", action=t.action, to=t.to)
        w.close("state")
    w.close("states")


def _command_output(w: Writer, out: CommandOutput, view: View) -> None:
    w.open("instance", href=view.url("instances", out.instance_id), id=out.instance_id)
    w.leaf("public_address", out.public_address)
    w.leaf("command", out.command)
    w.leaf("output", out.output)
    w.close("instance")


RENDERERS: dict[type, Callable[[Writer, Any, View], None]] = {
    EntryPoint: _entry_point,
    Realm: _realm,
    HardwareProfile: _hardware_profile,
    Image: _image,
    Instance: _instance,
    Key: _key,
    StorageVolume: _storage_volume,
    StorageSnapshot: _storage_snapshot,
    StateMachine: _state_machine,
    CommandOutput: _command_output,
    Bucket: _bucket,
    Blob: _blob,
    Address: _address,
    Firewall: _firewall,
    LoadBalancer: _load_balancer,
    Metric: _metric,
    DriverInfo: _driver,
}


def _render_one(w: Writer, value: Any, view: View) -> None:
    RENDERERS[type(value)](w, value, view)


def render(value: Any, view: View, collection: str | None = None) -> str:
    """One model, or a list of them under a root element named after the collection."""
    w = Writer()
    if collection is None:
        _render_one(w, value, view)
    else:
        w.open(collection)
        for item in value:
            _render_one(w, item, view)
        w.close(collection)
    return w.text()


def render_error(status: int, message: str, url: str, driver: str, provider: str) -> str:
    w = Writer()
    w.open("error", status=status, url=url)
    w.leaf("backend", driver=driver, provider=provider)
    w.leaf("code", status)
    w.cdata("message", message)
    w.close("error")
    return w.text()


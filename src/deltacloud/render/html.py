"""HTML: a web interface drawn from the same data as the JSON, plus forms from declarations.

Jinja2 is imported on first use, so a server that never serves HTML never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from deltacloud.collections import COLLECTIONS, Collection, Operation
from deltacloud.collections.features import advertised_params
from deltacloud.models import HardwareProfile, StateMachine
from deltacloud.models.api import EntryPoint
from deltacloud.models.driver import DriverInfo
from deltacloud.render import View
from deltacloud.render import json as json_render

if TYPE_CHECKING:
    from jinja2 import Environment


# The columns a list shows, by collection; others show every plain field.
COLUMNS = {
    "instances": ("name", "state", "image", "realm", "hardware_profile", "public_addresses"),
    "images": ("name", "description", "owner", "architecture", "state"),
    "realms": ("name", "state"),
    "hardware_profiles": ("properties",),
    "keys": ("credential_type", "fingerprint", "state"),
    "storage_volumes": ("name", "capacity", "state", "realm", "instance", "device"),
    "storage_snapshots": ("storage_volume", "state", "created"),
    "buckets": ("name", "size"),
}
# Actions drawn as their own forms on a page, not as plain buttons.
FORM_ACTIONS = {"create_image", "create_instance", "run", "attach"}


@cache
def _env() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("deltacloud.render", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _page(template: str, view: View | None, **context: Any) -> str:
    return _env().get_template(template).render(view=view, **context)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _supports(view: View, collection: str, op_name: str) -> bool:
    c = COLLECTIONS.get(collection)
    op = c.operation(op_name) if c else None
    return bool(op and (op.capability is None or view.supports(op.capability)))


def _buttons(obj: dict[str, Any], collection: str, view: View) -> list[dict[str, str]]:
    """The actions a page offers as buttons: the object's own, plus delete where supported."""
    buttons = [
        {"rel": a["rel"], "href": a["href"], "method": a.get("method", "post")}
        for a in obj.get("actions", []) if a["rel"] not in FORM_ACTIONS
    ]
    deletable = _supports(view, collection, "destroy") and collection != "instances"
    if deletable and not any(b["method"] == "delete" for b in buttons):
        buttons.append({"rel": "delete", "href": obj["href"], "method": "delete"})
    return buttons


def render(value: Any, view: View, collection: str | None, path: str) -> str:
    if isinstance(value, EntryPoint):
        return _page("api.html", view, api=value, title=f"Deltacloud: {value.driver}")
    if isinstance(value, StateMachine):
        return _page("states.html", view, machine=value, title="Instance states")
    if collection == "drivers":
        return _page("drivers.html", view, drivers_list=value, title="Drivers")
    if isinstance(value, DriverInfo):
        return _page("driver.html", view, driver=value, title=value.display_name)
    if collection is not None:
        rows = [json_render.RENDERERS[type(v)][1](v, view) for v in value]
        columns = COLUMNS.get(collection) or sorted(
            {k for r in rows for k, v in r.items()
             if k not in ("id", "href") and (v is None or isinstance(v, str | int))})
        return _page("index.html", view, rows=rows, columns=columns, collection=collection,
                     buttons=[_buttons(r, collection, view) for r in rows],
                     title=_title(collection), creatable=_supports(view, collection, "create"))
    key, fn = json_render.RENDERERS[type(value)]
    obj = fn(value, view)
    plural = path.split("/")[2] if path.count("/") >= 2 else (key or "")
    return _page("show.html", view, obj=obj, kind=key or "", collection=plural,
                 model=value, buttons=_buttons(obj, plural, view),
                 profile=value if isinstance(value, HardwareProfile) else None,
                 title=f"{_title(key or '')} {obj.get('id', '')}")


def render_error(status: int, message: str, url: str, driver: str, provider: str) -> str:
    parts = url.split("/")
    back = "/".join(parts[:3]) if len(parts) > 3 else "/api"
    return _page("error.html", None, status=status, message=message, url=url, back=back,
                 title=f"Error {status}")


def render_form(view: View, collection: Collection, op: Operation, values: dict[str, str],
                choices: Mapping[str, list[tuple[str, str]]],
                profiles: list[HardwareProfile]) -> str:
    """The form of `op`; `choices` are the (id, label) pairs of the parameters that name
    other resources, read from the driver by the server beforehand."""
    fields = [
        {"param": p, "choices": choices.get(p.name), "value": values.get(p.name, "")}
        for p in advertised_params(collection, op, view.features)
    ]
    return _page("form.html", view, collection=collection, op=op, fields=fields,
                 profiles=profiles, title=f"{op.description or 'Create'}")

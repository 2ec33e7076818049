"""HTML: a web interface drawn from the same data as the JSON, plus forms from declarations.

Jinja2 is imported on first use, so a server that never serves HTML never loads it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from deltacloud.collections import COLLECTIONS, Collection, Operation, Param
from deltacloud.drivers.base import Driver
from deltacloud.drivers.registry import Registry
from deltacloud.models import StateMachine
from deltacloud.models.api import EntryPoint
from deltacloud.render import View
from deltacloud.render import json as json_render

if TYPE_CHECKING:
    from jinja2 import Environment

    from deltacloud.server.context import RequestContext


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
    drivers = Registry.names()
    return _env().get_template(template).render(view=view, drivers=drivers, **context)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _creatable(view: View, collection: str) -> bool:
    c = COLLECTIONS.get(collection)
    op = c.operation("create") if c else None
    return bool(op and (op.capability is None or view.driver.supports(op.capability)))


def render(value: Any, view: View, collection: str | None, path: str) -> str:
    if isinstance(value, EntryPoint):
        return _page("api.html", view, api=value, title=f"Deltacloud: {value.driver}")
    if isinstance(value, StateMachine):
        return _page("states.html", view, machine=value, title="Instance states")
    if collection == "drivers":
        return _page("drivers.html", view, drivers_list=value, title="Drivers")
    if isinstance(value, type) and issubclass(value, Driver):
        return _page("driver.html", view, driver=value, title=value.display_name)
    if collection is not None:
        rows = [json_render.RENDERERS[type(v)][1](v, view) for v in value]
        return _page("index.html", view, rows=rows, collection=collection,
                     title=_title(collection), creatable=_creatable(view, collection))
    key, fn = json_render.RENDERERS[type(value)]
    obj = fn(value, view)
    plural = path.split("/")[2] if path.count("/") >= 2 else (key or "")
    return _page("show.html", view, obj=obj, kind=key or "", collection=plural,
                 title=f"{_title(key or '')} {obj.get('id', '')}")


def render_error(status: int, message: str, url: str, driver: str, provider: str) -> str:
    return _page("error.html", None, status=status, message=message, url=url,
                 title=f"Error {status}")


def _choices(view: View, rc: RequestContext, param: Param) -> list[str] | None:
    """Ids a `references` parameter may take, when the driver lists that collection."""
    ref = param.references
    if ref is None or ref not in view.driver.collections or not view.driver.supports(ref):
        return None
    items = getattr(view.driver, ref)(rc.call, {})
    return [item.id for item in items]


def render_form(view: View, collection: Collection, op: Operation, values: dict[str, str],
                rc: RequestContext) -> str:
    from deltacloud.server.params import allowed_params

    fields = [
        {"param": p, "choices": _choices(view, rc, p), "value": values.get(p.name, "")}
        for p in allowed_params(collection, op, view.driver)
    ]
    return _page("form.html", view, collection=collection, op=op, fields=fields,
                 title=f"New {_title(collection.name).rstrip('s').lower()}")

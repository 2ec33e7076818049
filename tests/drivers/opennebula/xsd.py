"""OpenNebula's own XML Schemas (release-7.3.80, in ../shared/fixtures), as the proof that
the fake answers what oned answers.

oned sends its documents without a namespace; the schemas declare
`http://opennebula.org/XMLSchema`. Every element is moved into that namespace, then the
document is validated against the schema of the call that produced it (infoextended's
`VM_POOL` holds whole VMs: `vm_pool_extended.xsd`, not the short `vm_pool.xsd`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD_DIR = (Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "opennebula"
           / "xsd-release-7.3.80")
NAMESPACE = "http://opennebula.org/XMLSchema"

# method -> the schema its answer must satisfy
SCHEMAS = {
    "one.vmpool.infoextended": "vm_pool_extended.xsd",
    "one.vmpool.info": "vm_pool.xsd",
    "one.vm.info": "vm.xsd",
    "one.templatepool.info": "vmtemplate_pool.xsd",
    "one.template.info": "vmtemplate.xsd",
    "one.clusterpool.info": "cluster_pool.xsd",
    "one.cluster.info": "cluster.xsd",
    "one.hostpool.info": "host_pool.xsd",
    "one.host.info": "host.xsd",
    "one.imagepool.info": "image_pool.xsd",
    "one.image.info": "image.xsd",
}


def missing() -> str | None:
    """Why the schemas cannot be used here, or None."""
    if not (XSD_DIR / "vm.xsd").is_file():
        return f"OpenNebula's XSDs are not at {XSD_DIR} (../shared is absent)"
    return None


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name)))


def namespaced(document: str) -> etree._Element:
    """The document with every element moved into OpenNebula's namespace."""
    root = etree.fromstring(document.encode())
    for element in root.iter():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = f"{{{NAMESPACE}}}{element.tag}"
    return root


def validate(method: str, document: str) -> None:
    """AssertionError naming each way the document breaks the method's schema."""
    name = SCHEMAS.get(method)
    assert name is not None, f"no schema known for {method}"
    checker = schema(name)
    if not checker.validate(namespaced(document)):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in checker.error_log)
        raise AssertionError(f"{method} answer breaks {name}: {errors}")

"""vSphere faults and transport failures as deltacloud errors: `translated()` wraps every call."""

from __future__ import annotations

import http.client
import socket
import ssl
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import translating
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    MethodNotAllowed,
    NotFound,
)


def _message(fault: object, default: str) -> str:
    msg = getattr(fault, "msg", None) or ""
    # vcsim (and some vCenter faults) put the Go/Java type name in msg: not a message.
    if not msg or msg.startswith("*types.") or msg.startswith("vim."):
        return default
    return str(msg)


def _power_state_message(fault: object) -> str:
    existing = getattr(fault, "existingState", None)
    requested = getattr(fault, "requestedState", None)
    text = "vSphere refused the operation in the VM's power state"
    if existing:
        text = f"The VM is {existing}"
        if requested:
            text += f" and the operation needs it {requested}" if requested != existing else (
                f": it is {requested} already")
    detail = _message(fault, "")
    return f"{text} (InvalidPowerState{': ' + detail if detail else ''})"


def translate_fault(exc: BaseException) -> DeltacloudError:
    """One vSphere fault (pyVmomi's vim/vmodl exceptions) as a deltacloud error."""
    from pyVmomi import vim, vmodl

    name = type(exc).__name__
    if isinstance(exc, vim.fault.InvalidLogin | vim.fault.NotAuthenticated):
        return AuthenticationFailure("vSphere refused the user name or password")
    if isinstance(exc, vim.fault.NoPermission):
        return Forbidden(_message(exc, "vSphere denied the permission for this operation"))
    if isinstance(exc, vmodl.fault.ManagedObjectNotFound):
        return NotFound("The object no longer exists in vSphere")
    if isinstance(exc, vim.fault.FileNotFound):
        return NotFound("The file no longer exists in vSphere")
    if isinstance(exc, vim.fault.FileAlreadyExists):
        return Conflict("The file exists already in vSphere")
    if isinstance(exc, vim.fault.InvalidPowerState):
        return MethodNotAllowed(_power_state_message(exc))
    if isinstance(exc, vim.fault.ToolsUnavailable):
        return Conflict(_message(exc, "VMware Tools are not running in the guest"))
    if isinstance(exc, vim.fault.DuplicateName | vim.fault.AlreadyExists):
        return Conflict(_message(exc, "An object with that name exists already"))
    if isinstance(exc, vim.fault.InvalidState):
        return Conflict(_message(exc, f"vSphere refused the operation in this state ({name})"))
    if isinstance(exc, vmodl.fault.InvalidArgument | vim.fault.InvalidDatastore):
        return BadRequest(_message(exc, f"vSphere refused a parameter ({name})"))
    if isinstance(exc, vim.fault.HostConnectFault):
        return BackendError(_message(exc, "vSphere could not be reached"))
    return BackendError(_message(exc, f"vSphere failed ({name})"))


def translate(exc: Exception) -> DeltacloudError | None:
    """Any exception raised while talking to vSphere, as an error; None if not ours to map."""
    from pyVmomi import vmodl

    if isinstance(exc, vmodl.MethodFault):
        return translate_fault(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return BackendError(
            "The vSphere endpoint's TLS certificate could not be verified "
            f"({exc.verify_message}); see DELTACLOUD_VSPHERE_CA_BUNDLE")
    if isinstance(exc, ssl.SSLError):
        return BackendError(f"TLS with the vSphere endpoint failed ({exc.reason})")
    if isinstance(exc, TimeoutError):
        return BackendTimeout("vSphere did not answer in time")
    if isinstance(exc, socket.gaierror):
        return BackendError("The vSphere host name could not be resolved")
    if isinstance(exc, ConnectionError | http.client.HTTPException | OSError):
        return BackendError(f"vSphere could not be reached ({type(exc).__name__})")
    return None


def translated() -> AbstractContextManager[None]:
    """Around every call to vSphere: its faults become deltacloud errors, ours pass as they are."""
    return translating(translate)

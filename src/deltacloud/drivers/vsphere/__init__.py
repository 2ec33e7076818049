"""The vSphere driver: vCenter (or ESXi) over its SOAP API, through pyvmomi (extra `vsphere`)."""

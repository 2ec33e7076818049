"""An ML2 mechanism driver for the test cloud: every port is bound, nothing is plugged.

Neutron runs without agents here; this driver lets Nova boot servers on a
network (ports get addresses from Neutron's IPAM, no traffic ever flows).
Loaded by neutron-server through an entry point that openstack.sh writes.
"""

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindEverything(api.MechanismDriver):
    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return

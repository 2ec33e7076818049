"""The OpenNebula driver (XML-RPC through pyone)."""

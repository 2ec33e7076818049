"""OpenStack (Keystone, Nova, Glance, Neutron, Cinder, Swift) and Rackspace drivers."""

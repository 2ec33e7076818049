"""Cloud drivers: one package each, all subclasses of `base.Driver`."""

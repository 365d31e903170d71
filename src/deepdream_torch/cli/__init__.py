"""The ``deepdream`` command: the original tool's flags translated into one library call each (see ``app``)."""

"""Single-picture mode: one dreamed picture per layer, named as the original tool named them, and a contact
sheet. ``dream_single_picture`` in ``single.py`` is the entry point the CLI's ``--single-picture`` calls."""

"""Where the keys live: the provider interface (``base``), its registry and the providers.

``SIGNING_PROVIDER`` names the one in use; ``local`` is the platform's own county CA.
"""

"""CDN (system 10): an origin, edge cache processes and a control plane.

- ``system``: the composition root. ``build`` gives the control plane (``CdnService``);
  ``build_edge`` gives an edge or shield process its app, access log included.
- ``service``, ``routing``, ``control``, ``api``: edge registry, health probing,
  nearest-healthy routing and purge fan-out, served under ``/cdn``; ``settings`` holds
  ``CdnSettings`` (``BLUEPRINT_CDN_*``).
- ``origin``: serves the blob store with types, validators, ranges and Cache-Control.
- ``edge``: the cache server (run as its own uvicorn process; ``process.start_edge`` /
  ``run_tier``); a shield is an edge whose upstream is the origin.
- ``cachecontrol``, ``respond``, ``store``, ``upstream``: HTTP caching rules, answering from
  a stored object, the memory/disk object store, and the upstream client.
- ``accesslog``, ``hitratio``: access events into the lake and hit ratios out of it.
"""

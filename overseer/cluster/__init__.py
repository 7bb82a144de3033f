"""Runs on a Ray cluster (``executor: {kind: ray}``): the executor seam's second implementation.

A session (``session.py``) connects with one snapshot per session as the Ray job's working
directory (``snapshot.py``: the target's repository at HEAD, without ``.git`` and ``runs/``, plus
its task sets) and submits each run with the prompt file's text; a node (``worker.py``) makes one
node-local copy per prompt under a file lock and calls ``run_one`` unchanged. Only the driver
writes ``runs/``: records come back to it with their captured files as bytes. Ray is imported only
here and only when this executor is chosen (``pip install 'overseer[ray]'``).
"""

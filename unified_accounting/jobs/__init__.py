"""Sync jobs on Celery: one task per (connection, business), many workers, one quota.

Needs the ``celery`` extra (``pip install 'unified-accounting[celery]'``) and, for the
mirror every worker shares, the ``postgres`` extra. See docs/scaling.md.

- :mod:`unified_accounting.jobs.app`: the Celery app, the task and :func:`enqueue_sync`;
- :mod:`unified_accounting.jobs.schedule`: beat entries for "sync every N minutes";
- :mod:`unified_accounting.jobs.webhook_tasks`: the webhook delivery task and its beat entry;
- :mod:`unified_accounting.jobs.settings`: where broker, store and mirror live;
- ``unified-accounting worker``: a worker with the right settings.

Nothing is imported here, so ``import unified_accounting.jobs.settings`` does not configure
a Celery app.
"""

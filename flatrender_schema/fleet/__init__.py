"""Fleets: the same desired state on many databases (regions, dedicated tenants, shards).

`manifest` reads `schema/targets.yaml`; `shared_shadow` lets every plan of a run use one shadow;
`planning` plans every target and groups identical plans; `rollout` applies in waves; `report`
renders both as text, JSON and Markdown.
"""

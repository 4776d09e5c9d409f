"""Create and free every kind of librootly object N times (argv[1]).
Run by leakcheck.py under LeakSanitizer or valgrind. With --leak, it also
drops one incident handle per iteration without freeing it, to prove the
check catches a leak."""

import gc
import os
import pathlib
import sys

import rootly

n = int(sys.argv[1])
leak = "--leak" in sys.argv
fixtures = pathlib.Path(os.environ.get("ROOTLY_TEST_FIXTURES", pathlib.Path(__file__).resolve().parent.parent / "fixtures"))
body = (fixtures / "alertmanager-real" / "firing-single.json").read_bytes()
cfg_text = (pathlib.Path(__file__).resolve().parent / "data" / "config.yaml").read_text()
wf_text = (pathlib.Path(__file__).resolve().parent / "data" / "workflows.yaml").read_text()
kept = []


class Chat(rootly.Transport):
    capabilities = ("chat",)

    def deliver(self, d):
        if d.action == "chat.create_channel":
            return {"channel_id": "C1", "channel_name": "x"}
        raise RuntimeError("post failed")  # a failing delivery too

for i in range(n):
    with rootly.Context("memory:") as ctx:
        [item] = ctx.ingest("alertmanager", body)
        inc = ctx.get_incident(item.incident_ref)
        inc.add_note("n")
        inc.add_task("t").complete()
        ctx.transition(inc, "started")
        with ctx.timeline(inc) as tl:
            tl.to_json()
        ctx.verify(inc)
        with ctx.metrics(group_by="service") as m:
            m.to_prometheus()
        ctx.postmortem(inc)
        ctx.configure(rootly.Config.parse(cfg_text))
        try:
            ctx.get_incident("INC-404")
        except rootly.NotFoundError:
            pass
        try:
            rootly.Config.parse("version: [")
        except rootly.ConfigError:
            pass
        if leak:
            h = rootly.rootly_native.rootly_incident_get(ctx._h, inc.id)
            h.thisown = False  # never freed: a real leak
            kept.append(None)
    with rootly.Context(store=rootly.DictStore(), clock=lambda: 1_700_000_000_000 + i) as ctx:
        ctx.add_note(ctx.create_incident("py store"), "n")
        ctx.configure(rootly.Config.parse(wf_text))
        ctx.add_transport(Chat())
        ctx.add_transport("record:")
        inc = ctx.create_incident("workflow")
        ctx.dry_run(inc)
        ctx.dispatch()
        ctx.dispatch()
        ctx.outbox()
        ctx.workflow_runs(inc)
    gc.collect()
print("loop done", n)

"""The silkpipe Argo WorkflowTemplate, defined with Hera.

Shape: list sessions -> one transcription pod per chunk of ``sessions-per-pod`` sessions
(``withParam`` fan-out, GPU by default; the model is loaded once per pod) -> align (the join
over all sessions; per-session failures do not stop the run) -> train (GPU optional) ->
report, then the report folder is published as an Argo artifact (``archive: none``) so it
opens in the UI.

Every step runs the same ``silkpipe`` CLI as the local runner against ``--store s3://...``;
per-session outputs stay in the store (never in parameters). The fan-out list itself is
written to the store in chunks (runs/<run-id>/fanout.json): the list-sessions
result carries only chunk ids, so 10,000 sessions stay far below Argo's 256 kB result cap.
The compiled YAML (``make manifests``) is committed into the Helm chart, which overrides
images, resources and parameter defaults from its values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hera.workflows import (
    DAG,
    Artifact,
    Container,
    Counter,
    Env,
    Histogram,
    Label,
    Metrics,
    NoneArchiveStrategy,
    Parameter,
    Resources,
    RetryStrategy,
    Task,
    WorkflowTemplate,
)
from hera.workflows import models as m

NAME = "silkpipe"
#: The fixed, non-root UID/GID the images are built with (images/Dockerfile.*).
UID = 10001
#: Secret holding the store's endpoint and credentials (created by the chart).
S3_SECRET = "silkpipe-s3"
#: Exit status of ``silkpipe`` on bad input: retrying cannot help.
INPUT_ERROR_EXIT = 2
#: Retry pod deletions (spot preemption), imminent node shutdown, evictions, executor
#: errors and crashes; never bad input (exit 2).
RETRY_EXPRESSION = (
    'lastRetry.status == "Error"'
    ' || lastRetry.message matches "(?i)(pod deleted|node shutdown|evicted|preempt)"'
    f' || (lastRetry.status == "Failed" && lastRetry.exitCode != "{INPUT_ERROR_EXIT}")'
)
DURATION_BUCKETS = [1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0]


@dataclass
class Settings:
    """Defaults baked into the compiled template; the chart overrides most of them."""

    image: str = "ghcr.io/silkpipe/silkpipe-cpu:0.1.0"
    gpu_image: str = "ghcr.io/silkpipe/silkpipe-cuda:0.1.0"
    parallelism: int = 8
    active_deadline_s: int = 6 * 3600
    step_deadline_s: int = 3600
    retries: int = 3
    #: First retry waits this long, each further one ``backoff_factor`` times longer.
    backoff_s: int = 30
    backoff_factor: int = 2
    parameters: dict[str, str] = field(
        default_factory=lambda: {
            "store": "s3://silkpipe",
            "backend": "whisperx",
            "model": "large-v3",
            "model-dir": "/models",
            "device": "cuda",
            "batch-size": "16",
            # The CPU fan-out (gpu-transcribe != true) never takes the GPU settings above:
            # it runs faster-whisper on CPU with this model (bundled in the CPU image).
            "cpu-model": "bundled:tiny.en",
            "cpu-batch-size": "4",
            # Sessions per transcription pod: the model loads once per pod.
            "sessions-per-pod": "4",
            "gpu-transcribe": "true",
            "train-gpu": "false",
            # "false": train on every window, holding out no test set (train --test-split).
            "test-split": "true",
            "gpu-accelerator": "nvidia-l4",
            "gpu-toleration-key": "nvidia.com/gpu",
            "pushgateway": "prometheus-pushgateway.monitoring.svc:9091",
        }
    )


#: Parameters that take only these values: a steps' CLI refuses any other, late (train runs
#: after every transcription), so Argo refuses it at submission (``enum``) and so does submit.
CHOICES: dict[str, list[str]] = {"test-split": ["true", "false"]}


def _param(name: str) -> str:
    return "{{workflow.parameters." + name + "}}"


def _store_args() -> list[str]:
    return ["--store", _param("store"), "--run-id", _param("run-id")]


def _env() -> list:
    secret = [
        m.EnvVar(
            name=f"SILKPIPE_S3_{key.upper()}",
            value_from=m.EnvVarSource(
                secret_key_ref=m.SecretKeySelector(
                    name=S3_SECRET, key=key, optional=True if key == "secure" else None
                )
            ),
        )
        for key in ("endpoint", "access_key", "secret_key", "secure")
    ]
    return secret + [
        Env(name="SILKPIPE_PUSHGATEWAY", value=_param("pushgateway")),
        # Names the workflow: a report tells an earlier attempt's figures (report.WORKFLOW_ENV).
        Env(name="SILKPIPE_WORKFLOW", value="{{workflow.uid}}"),
        # Read-only root: everything that caches goes to the /tmp emptyDir or the model volume.
        Env(name="HOME", value="/tmp"),
        Env(name="MPLCONFIGDIR", value="/tmp/matplotlib"),
        Env(name="XDG_CACHE_HOME", value="/tmp/cache"),
        Env(name="HF_HOME", value="/models/huggingface"),
        Env(name="TORCH_HOME", value="/models/torch"),
    ]


def _security_context() -> m.SecurityContext:
    return m.SecurityContext(
        run_as_non_root=True,
        run_as_user=UID,
        run_as_group=UID,
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        privileged=False,
        capabilities=m.Capabilities(drop=["ALL"]),
        seccomp_profile=m.SeccompProfile(type="RuntimeDefault"),
    )


def _metrics(step: str) -> Metrics:
    """Argo emits these per step (the controller prefixes nothing; names are ours)."""
    labels = [Label(key="step", value=step), Label(key="status", value="{{status}}")]
    return Metrics(
        metrics=[
            Histogram(
                name="silkpipe_argo_step_duration_seconds",
                help="Wall time of a silkpipe Argo step, by step and final status.",
                labels=labels,
                buckets=DURATION_BUCKETS,
                value="{{duration}}",
            ),
            Counter(
                name="silkpipe_argo_steps_total",
                help="silkpipe Argo steps finished, by step and final status.",
                labels=labels,
                value="1",
            ),
        ]
    )


def retry_window_s(retries: int, step_deadline_s: int, backoff_s: int, factor: int) -> int:
    """Argo stops retrying ``maxDuration`` after the FIRST attempt started and cuts a retried
    pod's deadline at that mark: the window must hold every attempt's full deadline plus the
    backoff waits between them (the chart recomputes it from its own values)."""
    waits = sum(backoff_s * factor**k for k in range(retries))
    return (retries + 1) * step_deadline_s + waits


def _retry(s: Settings) -> RetryStrategy:
    window = retry_window_s(s.retries, s.step_deadline_s, s.backoff_s, s.backoff_factor)
    return RetryStrategy(
        limit=s.retries,
        retry_policy="Always",
        expression=RETRY_EXPRESSION,
        backoff=m.Backoff(
            duration=f"{s.backoff_s}s", factor=str(s.backoff_factor), max_duration=f"{window}s"
        ),
    )


MOUNTS = [
    m.VolumeMount(name="tmp", mount_path="/tmp"),
    m.VolumeMount(name="model-cache", mount_path="/models"),
]


def _container(
    s: Settings,
    name: str,
    args: list[str],
    *,
    gpu: bool = False,
    resources: Resources,
    inputs: list | None = None,
    outputs: list | None = None,
) -> Container:
    extra = {}
    if gpu:
        extra = dict(
            node_selector={"cloud.google.com/gke-accelerator": _param("gpu-accelerator")},
            tolerations=[
                m.Toleration(
                    key=_param("gpu-toleration-key"), operator="Exists", effect="NoSchedule"
                ),
                m.Toleration(
                    key="cloud.google.com/gke-spot",
                    operator="Equal",
                    value="true",
                    effect="NoSchedule",
                ),
            ],
        )
    return Container(
        name=name,
        image=s.gpu_image if gpu else s.image,
        image_pull_policy="IfNotPresent",
        command=["silkpipe"],
        args=args,
        env=_env(),
        volume_mounts=MOUNTS,
        security_context=_security_context(),
        resources=resources,
        retry_strategy=_retry(s),
        active_deadline_seconds=s.step_deadline_s,
        metrics=_metrics(name),
        inputs=inputs,
        outputs=outputs,
        labels={"app.kubernetes.io/name": NAME, "silkpipe.io/step": name},
        **extra,
    )


def build(settings: Settings | None = None) -> WorkflowTemplate:
    """The WorkflowTemplate; ``run-id`` has no default so every submission names its run."""
    s = settings or Settings()
    arguments = [Parameter(name="run-id", description="run id: runs/<run-id>/ in the store")]
    arguments += [Parameter(name=k, value=v, enum=CHOICES.get(k)) for k, v in s.parameters.items()]
    with WorkflowTemplate(
        name=NAME,
        labels={"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "workflow"},
        entrypoint="pipeline",
        arguments=arguments,
        service_account_name="silkpipe-workflow",
        active_deadline_seconds=s.active_deadline_s,
        pod_gc=m.PodGC(strategy="OnPodSuccess", delete_delay_duration="10m"),
        ttl_strategy=m.TTLStrategy(
            seconds_after_success=24 * 3600, seconds_after_failure=7 * 24 * 3600
        ),
        security_context=m.PodSecurityContext(
            run_as_non_root=True,
            run_as_user=UID,
            run_as_group=UID,
            fs_group=UID,
            seccomp_profile=m.SeccompProfile(type="RuntimeDefault"),
        ),
        automount_service_account_token=True,
        volumes=[
            m.Volume(name="tmp", empty_dir=m.EmptyDirVolumeSource(size_limit="8Gi")),
            m.Volume(name="model-cache", empty_dir=m.EmptyDirVolumeSource(size_limit="20Gi")),
        ],
        metrics=_workflow_metrics(),
    ) as wt:
        _pipeline_dag(s, _step_templates(s))
    return wt


def _workflow_metrics() -> Metrics:
    """What the Argo controller records per run: its wall time and final status."""
    return Metrics(
        metrics=[
            Histogram(
                name="silkpipe_argo_workflow_duration_seconds",
                help="Wall time of a silkpipe workflow run, by final status.",
                labels=[Label(key="status", value="{{workflow.status}}")],
                buckets=[60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0],
                value="{{workflow.duration}}",
            ),
            Counter(
                name="silkpipe_argo_workflows_total",
                help="silkpipe workflow runs finished, by final status.",
                labels=[Label(key="status", value="{{workflow.status}}")],
                value="1",
            ),
        ]
    )


def _step_templates(s: Settings) -> dict[str, Container]:
    """One container template per step, by name (created inside the WorkflowTemplate, so
    they join it in this order)."""
    small = Resources(cpu_request="250m", memory_request="256Mi", memory_limit="1Gi")
    list_sessions = _container(
        s,
        "list-sessions",
        ["sessions", "list", *_store_args(), "--sessions-per-pod", _param("sessions-per-pod")],
        resources=small,
    )
    transcribe_gpu, transcribe_cpu = _transcribe_templates(s)
    align = _container(
        s,
        "align",
        ["align", *_store_args()],
        resources=Resources(cpu_request="1", memory_request="2Gi", memory_limit="4Gi"),
    )
    train_args = ["train", *_store_args(), "--test-split", _param("test-split")]
    train_gpu = _container(
        s,
        "train-gpu",
        [*train_args, "--device", "cuda"],
        gpu=True,
        resources=Resources(cpu_request="4", memory_request="8Gi", memory_limit="16Gi", gpus=1),
    )
    train_cpu = _container(
        s,
        "train-cpu",
        train_args,
        resources=Resources(cpu_request="2", memory_request="4Gi", memory_limit="8Gi"),
    )
    report = _container(
        s,
        "report",
        ["report", *_store_args()],
        resources=Resources(cpu_request="1", memory_request="1Gi", memory_limit="2Gi"),
    )
    publish = _container(
        s,
        "publish-report",
        ["sessions", "export-report", *_store_args(), "/tmp/report"],
        resources=small,
        outputs=[Artifact(name="report", path="/tmp/report", archive=NoneArchiveStrategy())],
    )
    templates = (list_sessions, transcribe_gpu, transcribe_cpu, align, train_gpu, train_cpu)
    return {t.name: t for t in (*templates, report, publish)}


def _transcribe_templates(s: Settings) -> tuple[Container, Container]:
    """Transcription of one chunk of sessions: WhisperX on a GPU node, or faster-whisper on
    CPU (the run's ``gpu-transcribe`` parameter picks one)."""
    chunk = ["transcribe", "--chunk", "{{inputs.parameters.chunk}}", *_store_args()]
    gpu_args = [
        *chunk,
        "--backend", _param("backend"),
        "--model", _param("model"),
        "--model-dir", _param("model-dir"),
        "--device", _param("device"),
        "--batch-size", _param("batch-size"),
    ]  # fmt: skip
    cpu_args = [
        *chunk,
        "--backend", "faster-whisper",
        "--model", _param("cpu-model"),
        "--device", "cpu",
        "--batch-size", _param("cpu-batch-size"),
    ]  # fmt: skip
    chunk_input = [Parameter(name="chunk")]
    transcribe_gpu = _container(
        s,
        "transcribe-gpu",
        gpu_args,
        gpu=True,
        inputs=chunk_input,
        resources=Resources(cpu_request="4", memory_request="16Gi", memory_limit="24Gi", gpus=1),
    )
    transcribe_cpu = _container(
        s,
        "transcribe-cpu",
        cpu_args,
        inputs=chunk_input,
        resources=Resources(cpu_request="1", memory_request="1Gi", memory_limit="3Gi"),
    )
    return transcribe_gpu, transcribe_cpu


def _pipeline_dag(s: Settings, steps: dict[str, Container]) -> None:
    """list -> transcribe (fanned out, GPU or CPU) -> align -> train (GPU or CPU) -> report
    -> publish; a failed session or align step does not stop the run."""
    with DAG(name="pipeline", parallelism=s.parallelism, fail_fast=False):
        Task(name="list-sessions", template=steps["list-sessions"])
        fan_out = dict(
            with_param="{{tasks.list-sessions.outputs.result}}",
            arguments=[Parameter(name="chunk", value="{{item}}")],
            depends="list-sessions",
            # A failed session must not sink the run: align reports it instead.
            continue_on=m.ContinueOn(failed=True, error=True),
        )
        Task(
            name="transcribe-gpu",
            template=steps["transcribe-gpu"],
            when=f"{_param('gpu-transcribe')} == true",
            **fan_out,
        )
        Task(
            name="transcribe-cpu",
            template=steps["transcribe-cpu"],
            when=f"{_param('gpu-transcribe')} != true",
            **fan_out,
        )
        done = " && ".join(
            f"({t}.Succeeded || {t}.Skipped || {t}.Failed || {t}.Errored)"
            for t in ("transcribe-gpu", "transcribe-cpu")
        )
        # align exits non-zero when some sessions failed or it skipped a bad clip (2: bad
        # input, 1: a fault, which is retried) but still publishes the others' labels:
        # train goes on with those, the align node shows Failed and the report names the
        # failed sessions. An align that never ran to the end (Errored) stops the run.
        Task(
            name="align",
            template=steps["align"],
            depends=done,
            continue_on=m.ContinueOn(failed=True),
        )
        aligned = "(align.Succeeded || align.Failed)"
        Task(
            name="train-gpu",
            template=steps["train-gpu"],
            depends=aligned,
            when=f"{_param('train-gpu')} == true",
        )
        Task(
            name="train-cpu",
            template=steps["train-cpu"],
            depends=aligned,
            when=f"{_param('train-gpu')} != true",
        )
        Task(
            name="report",
            template=steps["report"],
            depends="(train-gpu.Succeeded || train-cpu.Succeeded)",
        )
        Task(name="publish-report", template=steps["publish-report"], depends="report")


def compile_yaml(settings: Settings | None = None) -> str:
    """The WorkflowTemplate as YAML (what ``make manifests`` writes)."""
    return build(settings).to_yaml()

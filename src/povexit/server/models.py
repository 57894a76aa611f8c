"""Workflow state of the team server: assessments, counties, the sample as the team sees it, cases,
evidence files, users' roles and the append-only audit log. Bulk data stays in the work directory;
only what the pages and the workflow need is copied here (by ``actions.do_load_assessment``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..verify.machine import STATE_ZH, State
from ..verify.roles import Role


class Assessment(models.Model):
    name = models.CharField(max_length=200, unique=True)
    workdir = models.CharField(max_length=1000)
    loaded_at = models.DateTimeField()
    source_hash = models.CharField(max_length=64)
    files = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="counties")
    name = models.CharField(max_length=100)
    province = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=20, blank=True)
    threshold = models.FloatField(null=True)
    provisional = models.JSONField(null=True)  # this county's estimates.json (contract §5)
    # bumped in the transaction that moves one of the county's cases to confirmed/dismissed: final
    # indicators are cached per (county, outcome_version)
    outcome_version = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "name"], name="county_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """A release batch of sampled villages (村名单分批次提供给组长)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="batches")
    number = models.IntegerField()
    released_at = models.DateTimeField(null=True)
    released_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "number"], name="batch_unique")]
        ordering = ["county", "number"]


class Village(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="villages")
    village_id = models.CharField(max_length=40)
    township = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    stratum = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=60, blank=True)
    batch = models.IntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "village_id"], name="village_unique")]
        ordering = ["township", "name"]


class Household(models.Model):
    """A sampled household, with the interview (if any) that reached it."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="households")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="households")
    household_id = models.CharField(max_length=60)
    instrument = models.CharField(max_length=20)
    group = models.CharField(max_length=100, blank=True)
    persons = models.IntegerField(null=True)
    reserve = models.BooleanField(default=False)
    # False for households found in the field (census groups enumerate non-registered households on
    # site, docs/data-layout.md): they have answers and maybe cases, but no place in the sample's targets
    in_sample = models.BooleanField(default=True)
    head_name = models.CharField(max_length=100, blank=True)
    head_id_number = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, blank=True)  # registry status (poor/exited/returned)
    interviewed_at = models.DateTimeField(null=True)
    team = models.CharField(max_length=200, blank=True)
    instance_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "household_id"], name="household_unique")]
        indexes = [models.Index(fields=["county", "interviewed_at"], name="hh_county_done")]


class Case(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="cases")
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, related_name="cases")
    case_id = models.CharField(max_length=80)
    household_code = models.CharField(max_length=60)  # the household_id of cases.csv
    kind = models.CharField(max_length=20)  # wrongful_exit | missed
    rules = models.CharField(max_length=300, blank=True)
    evidence = models.TextField(blank=True)  # the adjudication's evidence JSON
    problems = models.TextField(blank=True)  # printable problems (problems_zh)
    persons = models.IntegerField(null=True)
    found_on = models.DateField(null=True)  # interview date: the day the problem was found
    team = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=20, default=State.SUSPECTED, choices=[(s.value, STATE_ZH[s]) for s in State]
    )
    version = models.IntegerField(default=0)  # optimistic concurrency: every step is UPDATE … WHERE version=v
    deadline = models.DateTimeField(null=True)
    disputed = models.BooleanField(default=False)
    department_opinion = models.CharField(max_length=20, blank=True)
    evidence_count = models.IntegerField(default=0)
    dismiss_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "case_id"], name="case_unique")]
        indexes = [
            models.Index(fields=["county", "state"], name="case_county_state"),
            models.Index(fields=["state", "kind"], name="case_state_kind"),
            models.Index(fields=["county", "found_on"], name="case_county_found"),
            models.Index(fields=["state", "id"], name="case_state_id"),  # paged lists by step
        ]
        ordering = ["id"]

    @property
    def outcome(self) -> str:
        return {State.CONFIRMED: "confirmed", State.DISMISSED: "dismissed"}.get(State(self.state), "pending")


class Attachment(models.Model):
    """An evidence file. Content is stored once per SHA-256 under ``DATA_DIR/attachments``."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True)
    step = models.CharField(max_length=30, blank=True)


class AuditEntry(models.Model):
    """One link of the hash chain (``povexit.verify.audit``). Never updated or deleted: the model
    refuses, and database triggers (migration 0002) refuse statements from outside Django too."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.CharField(max_length=32)  # canonical UTC text the hash is taken over
    at_time = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, db_index=True)
    county = models.CharField(
        max_length=100, blank=True, db_index=True
    )  # for scoping the log page (not hashed)
    data = models.TextField()  # canonical JSON
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def save(self, *args, **kwargs):
        if not kwargs.get("force_insert"):
            raise RuntimeError("audit entries are append-only (use actions)")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """Single row holding the chain's last seq and hash; locked (SELECT … FOR UPDATE) by every append."""

    id = models.IntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class Rejected(models.Model):
    """A submission row that failed the checks at ingest (responses/rejected.csv)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rejected")
    county = models.ForeignKey(County, on_delete=models.CASCADE, null=True, related_name="rejected")
    file = models.CharField(max_length=300, blank=True)
    row = models.IntegerField(null=True)
    field = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=300, blank=True)
    code = models.CharField(max_length=30, blank=True)
    message = models.TextField(blank=True)


class FinalEstimate(models.Model):
    """Final indicators recomputed from the confirmed cases, cached per outcome version."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="final_estimates")
    outcome_version = models.IntegerField()
    computed_at = models.DateTimeField()
    source = models.CharField(max_length=40)  # estimate_county | official_ratio
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "outcome_version"], name="final_unique")]


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=40, choices=[(r.value, r.value) for r in Role])
    all_counties = models.BooleanField(default=False)
    counties = models.ManyToManyField(County, blank=True, related_name="members")
    display_name = models.CharField(max_length=100, blank=True)


# ---- exit procedure and rectification (follow-up of the assessment) ------------------------------


class ProcedureStep(models.Model):
    """One recorded stage of a county's exit procedure (``procedure.STAGES``): when it was done, under
    which document (文号). Recorded and corrected only through ``actions.do_record_stage``."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="procedure_steps")
    stage = models.CharField(max_length=40)
    started_on = models.DateField(null=True)  # 公示 / 省级评估: first day
    done_on = models.DateField(null=True)
    doc_ref = models.CharField(max_length=200, blank=True)  # 文号
    note = models.TextField(blank=True)
    not_drawn = models.BooleanField(default=False)  # 国家抽查: county not drawn (20% are)
    recorded_by = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(null=True)
    version = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "stage"], name="procedure_step_unique")]


class StageFile(models.Model):
    """A document of a procedure stage (the application, the 公示 screenshot …), content-addressed
    in the same store as case evidence."""

    step = models.ForeignKey(ProcedureStep, on_delete=models.PROTECT, related_name="files")
    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True)


class Problem(models.Model):
    """One row of the county's 问题清单 and its rectification (整改台账)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="problems")
    key = models.CharField(max_length=250)  # 户编号|规则编号, or 乡镇/行政村|规则编号
    no = models.IntegerField(null=True)
    township = models.CharField(max_length=100, blank=True)
    village = models.CharField(max_length=100, blank=True)
    group = models.CharField(max_length=100, blank=True)
    household_code = models.CharField(max_length=60, blank=True)
    head_masked = models.CharField(max_length=100, blank=True)
    id_masked = models.CharField(max_length=40, blank=True)
    household_type = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=60, blank=True)
    problem_type = models.CharField(max_length=300, blank=True)
    rule_id = models.CharField(max_length=100)
    detail = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    found_on = models.DateField(null=True)
    team = models.CharField(max_length=200, blank=True)
    dismissed = models.BooleanField(default=False)  # 不予采信 when issued: nothing to rectify
    county_status = models.CharField(max_length=30, blank=True)  # the 状态 column as the county set it
    measure = models.TextField(blank=True)  # 整改措施
    responsible = models.TextField(blank=True)  # 责任单位
    deadline = models.DateField(null=True)  # 完成时限
    result = models.TextField(blank=True)  # 整改结果
    answered_by = models.CharField(max_length=150, blank=True)
    answered_at = models.DateTimeField(null=True)
    closed = models.BooleanField(default=False)  # 销号
    closed_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True)
    recheck = models.CharField(max_length=10, blank=True)  # "" | passed | failed (复核)
    recheck_comment = models.TextField(blank=True)
    recheck_by = models.CharField(max_length=150, blank=True)
    recheck_at = models.DateTimeField(null=True)
    version = models.IntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "key"], name="problem_unique")]
        indexes = [models.Index(fields=["county", "closed", "deadline"], name="problem_county_status")]
        ordering = ["no", "id"]


class LedgerUpload(models.Model):
    """A 问题清单 workbook uploaded (issued by the team or filled in by the county), kept as evidence."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="ledger_uploads")
    kind = models.CharField(max_length=10)  # issue | answer
    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()
    rows = models.IntegerField(default=0)
    changed = models.IntegerField(default=0)
    audit_seq = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-uploaded_at"]

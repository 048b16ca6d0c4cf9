"""Import batches: every import of a compilation is one, with its file kept, who ran it, when, its counts and
what it changed, so that it can be undone as a whole.

The staff page's way: `upload` keeps the file and makes a batch (待确认); `preview` reads it with the batch's
header mapping (a person's choices for unknown header words, remembered per set of header words) and plans it
without writing; `start` queues it and `run` imports it (catalogue.importers.loader, one write transaction) in
the background, recording progress; `undo` takes it back. An import made another way (the CLI, the seed) is
recorded as a batch by `record_cli_import`, which the loader calls inside its write transaction.
"""

import hashlib
import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.utils import timezone

from techmarket.catalogue.importers import undo as listing_undo
from techmarket.catalogue.importers.duplicates import find_duplicates
from techmarket.catalogue.importers.headers import (
    IGNORE,
    column_keys,
    fold_header,
    normalise_mapping,
    vocabulary,
)
from techmarket.catalogue.importers.loader import (
    ImportRejected,
    check_parsed,
    import_file,
    parse_file,
    parse_options,
    plan_file,
)
from techmarket.catalogue.importers.rows import ImportFormatError
from techmarket.catalogue.models import Listing, ListingAction
from techmarket.common import audit
from techmarket.common.errors import NotAllowed, Refused
from techmarket.common.uploads import DOCX, MAX_BYTES, XLSX, UploadError, check_upload, clean_name
from techmarket.imports.models import BatchAction, BatchChange, HeaderMapping, ImportBatch, ListingProvenance

log = logging.getLogger(__name__)
STAFF_ONLY = "只有平台工作人员可以导入汇编。"
PROGRESS_STEP = 20  # rows between two progress writes
COLLECTION_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def require_staff(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_active and user.is_staff):
        raise NotAllowed(STAFF_ONLY)


def clean_collection(value: str) -> str:
    value = (value or "").strip().lower()
    if not value:
        raise Refused("请填写汇编标识（小写字母、数字或连字符），同一汇编再次导入时使用同一标识。")
    if len(value) > 40 or any(ch not in COLLECTION_CHARS for ch in value):
        raise Refused("汇编标识只能由小写字母、数字和连字符组成，最多 40 个字符。")
    return value


# -- the file ------------------------------------------------------------------------------------------------


def _checked_file(uploaded) -> tuple[str, bytes, str]:
    """(name, bytes, sha256) of an uploaded .docx, .xlsx or UTF-8 .txt compilation; UploadError otherwise."""
    name = clean_name(getattr(uploaded, "name", "") or "")
    if name.lower().endswith((".txt", ".json")):  # a text compilation, a partner platform's feed
        data = uploaded.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise UploadError("文件过大：上限为 10 MB。", "larger than 10 MB")
        if not data:
            raise UploadError("文件为空。", "empty")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadError("文本或数据文件须为 UTF-8 编码。", "not UTF-8") from None
        return name, data, hashlib.sha256(data).hexdigest()
    checked = check_upload(uploaded)
    if checked.type not in (DOCX, XLSX):
        raise UploadError("请上传 Word（DOCX）、Excel（XLSX）、文本（TXT）格式的汇编或合作平台数据（JSON）。",
                          "not a compilation")
    if not name.lower().endswith(checked.type.extension):
        name = f"{Path(name).stem}{checked.type.extension}"
    return name, checked.data, checked.sha256


@transaction.atomic
def upload(user, uploaded, collection: str, source: str = ImportBatch.Source.COMPILATION) -> ImportBatch:
    """Keep an uploaded compilation (or a partner platform's feed, .json) as a batch awaiting its preview."""
    require_staff(user)
    collection = clean_collection(collection)
    name, data, digest = _checked_file(uploaded)
    if name.lower().endswith(".json"):
        source = ImportBatch.Source.PARTNER
    batch = ImportBatch(file_name=name, sha256=digest, collection=collection, created_by=user,
                        actor_label=user.get_username(), source=source)
    batch.file.save(name, ContentFile(data), save=False)
    batch.save()
    return batch


class _LocalFile:
    """The batch's file at a local path with its own name (the parsers go by the extension)."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch

    def __enter__(self) -> Path:
        self.dir = tempfile.TemporaryDirectory(prefix="techmarket-import-")
        path = Path(self.dir.name) / self.batch.file_name
        with self.batch.file.open("rb") as handle:
            path.write_bytes(handle.read())
        return path

    def __exit__(self, *exc):
        self.dir.cleanup()


# -- mapping -------------------------------------------------------------------------------------------------


def signature(headers: list[str]) -> str:
    words = sorted({fold_header(h) for h in headers if fold_header(h)})
    return hashlib.sha256("\n".join(words).encode()).hexdigest()


def remembered_mapping(headers: list[str]) -> dict:
    found = HeaderMapping.objects.filter(signature=signature(headers)).first()
    return dict(found.mapping) if found else {}


@transaction.atomic
def choose_mapping(user, batch: ImportBatch, choices: dict[str, str], headers: list[str]) -> ImportBatch:
    """A person maps unknown header words to columns (or "ignore"); remembered for this set of header words."""
    require_staff(user)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise Refused("该批次已开始导入，不能再修改表头对应。")
    choices = {word: key for word, key in choices.items() if key}
    try:
        normalise_mapping(choices)
    except ValueError:
        raise Refused("表头对应中有无法识别的栏目。") from None
    batch.mapping = {**batch.mapping, **choices}
    batch.save(update_fields=["mapping"])
    HeaderMapping.objects.update_or_create(
        signature=signature(headers), defaults={"words": sorted(headers), "mapping": batch.mapping,
                                                "updated_by": user})
    return batch


def column_choices() -> list[tuple[str, str]]:
    labels = vocabulary().labels
    return [(key, labels[key]) for key in column_keys()] + [(IGNORE, "不导入此列")]


# -- preview -------------------------------------------------------------------------------------------------


@dataclass
class Preview:
    headers: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "location: message"
    rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)  # references of probable duplicates not yet answered

    @property
    def ready(self) -> bool:
        return not self.problems and bool(self.rows) and not self.undecided


def preview(user, batch: ImportBatch) -> Preview:
    """What importing the batch would store, row by row, and every bad row with its location; writes nothing
    (the header mapping remembered for the file's header words is applied to a batch that has none)."""
    require_staff(user)
    batch.refresh_from_db()
    result = Preview()
    with _LocalFile(batch) as path:
        try:
            parsed = parse_file(path, parse_options(batch.collection, batch.mapping))
        except ImportFormatError as exc:
            result.problems.append(str(exc))
            return result
        if not batch.mapping and parsed.unknown_headers:
            remembered = remembered_mapping(parsed.headers)
            if remembered:
                ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
                    mapping=remembered)
                batch.mapping = remembered
                parsed = parse_file(path, parse_options(batch.collection, remembered))
        result.headers = parsed.headers
        mapped = {fold_header(word) for word in batch.mapping}
        result.unknown_headers = [h for h in parsed.unknown_headers if fold_header(h) not in mapped]
        result.problems = [str(p) for p in check_parsed(parsed, batch.collection)]
        if result.problems:
            result.rows = [{"location": r.location, "section": r.section.title, "number": r.printed_number,
                            "title": r.title} for r in parsed.rows]
            return result
        prefix = f"{batch.collection}/" if batch.collection else ""
        plan = plan_file(parsed, path, prefix)
    result.rows = plan.details
    result.warnings = plan.report.warnings
    duplicates = find_duplicates(plan.details)
    known = known_merges(batch.collection)
    for row in result.rows:
        row["warnings"] = [w[len(row["location"]) + 2:] for w in result.warnings
                           if w.startswith(row["location"] + ":")]
        reference = row["reference"]
        if reference in known:
            row["merged_into"] = known[reference]
        elif reference in duplicates:
            row["duplicate"] = duplicates[reference]
            decision = batch.decisions.get(reference)
            row["decision"] = None if decision is None else ("merge" if decision.get("pk") else "distinct")
            if decision is None:
                result.undecided.append(reference)
    result.report = plan.report.as_dict()
    return result


def known_merges(collection: str) -> dict[str, int]:
    """References of this collection already merged into a listing (by an earlier batch): reference → listing id.
    Importing the compilation again merges them again, without asking."""
    if not collection:
        return {}
    found = ListingProvenance.objects.filter(reference__startswith=f"{collection}/",
                                             batch__status=ImportBatch.Status.DONE)
    return dict(found.values_list("reference", "listing_id"))


@transaction.atomic
def decide_duplicates(user, batch: ImportBatch, answers: dict[str, str]) -> ImportBatch:
    """A person's answer per probable duplicate: "merge" (into the proposed listing) or "distinct"."""
    require_staff(user)
    shown = preview(user, batch)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise Refused("该批次已开始导入，不能再修改。")
    decisions = dict(batch.decisions)
    for row in shown.rows:
        answer = answers.get(row["reference"])
        if "duplicate" not in row or answer not in ("merge", "distinct"):
            continue
        decisions[row["reference"]] = {
            "pk": row["duplicate"]["pk"] if answer == "merge" else 0, "title": row["title"][:300],
            "section": row["section"][:80], "location": row["location"][:80]}
    batch.decisions = decisions
    batch.save(update_fields=["decisions"])
    return batch


# -- running -------------------------------------------------------------------------------------------------


@transaction.atomic
def start(user, batch: ImportBatch) -> ImportBatch:
    """Queue the batch's import; it runs in the background (TECHMARKET_JOBS; inline in tests)."""
    require_staff(user)
    shown = preview(user, batch)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        return batch  # a second click: the batch is already queued, running or done
    if shown.problems:
        raise Refused("文件中有问题，请修改后重新上传。")
    if shown.undecided:
        raise Refused(f"有 {len(shown.undecided)} 条疑似重复的条目尚未选择“合并”或“作为新条目”。")
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status"])
    transaction.on_commit(lambda: _dispatch(batch.pk))
    return batch


def _dispatch(batch_id: int) -> None:
    backend = getattr(settings, "TECHMARKET_JOBS", "process")
    if backend == "inline":
        run(batch_id)
    elif backend == "rq":
        from techmarket.matching.services.jobs import rq_queue

        rq_queue().enqueue("techmarket.imports.services.batches.run", batch_id)
    elif backend != "none":  # process, thread: a thread of this server process
        threading.Thread(target=_run_in_thread, args=(batch_id,), name="techmarket-import", daemon=True).start()


def _run_in_thread(batch_id: int) -> None:
    close_old_connections()
    try:
        run(batch_id)
    finally:
        close_old_connections()


def run(batch_id: int) -> ImportBatch:
    """Import a queued batch: all of it in one write transaction, or nothing (the problems kept)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ImportBatch.Status.QUEUED:
            return batch
        batch.status = ImportBatch.Status.RUNNING
        batch.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_STEP == 0 or done == total:
            ImportBatch.objects.filter(pk=batch_id).update(progress_done=min(done, total), progress_total=total)

    known = known_merges(batch.collection)
    merge = {**{ref: pk for ref, pk in known.items()},
             **{ref: d["pk"] for ref, d in batch.decisions.items() if d.get("pk")}}

    def written(plan) -> None:
        _record(batch, plan)
        _record_merges(batch, {ref: d for ref, d in batch.decisions.items() if d.get("pk") and ref not in known})

    try:
        with _LocalFile(batch) as path:
            report = import_file(path, collection=batch.collection, actor_label=batch.actor_label or "import",
                                 progress=progress, mapping=batch.mapping, on_written=written, merge=merge)
    except (ImportRejected, ImportFormatError) as exc:
        problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, error="\n".join(problems))
        return ImportBatch.objects.get(pk=batch_id)
    except Exception:
        log.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED,
                                                       error="导入时发生系统错误，未写入任何数据。")
        return ImportBatch.objects.get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id).update(report_text=report.as_text())
    return ImportBatch.objects.get(pk=batch_id)


def _record(batch: ImportBatch, plan) -> None:
    """Inside the import's write transaction: the batch's counts, report and the listings it changed."""
    report = plan.report
    batch.status = ImportBatch.Status.DONE
    batch.imported_at = plan.now
    batch.created_count = report.listings.get("created", 0)
    batch.updated_count = report.listings.get("updated", 0)
    batch.unchanged_count = report.listings.get("unchanged", 0)
    batch.progress_total = batch.progress_done = len(plan.parsed.rows)
    batch.report = report.as_dict()
    batch.report_text = report.as_text()
    batch.save()
    # The time each created listing was written with (its updated_at): "untouched since" compares with it.
    written = {}
    ids = [listing.pk for listing in plan.new_listings]
    for start in range(0, len(ids), 500):
        written.update(Listing.objects.filter(pk__in=ids[start:start + 500]).values_list("pk", "updated_at"))
    changes = [BatchChange(batch=batch, listing_id=listing.pk, reference=listing.reference,
                           action=BatchChange.Action.CREATED, written_at=written.get(listing.pk, plan.now))
               for listing in plan.new_listings]
    changes += [BatchChange(batch=batch, listing_id=plan.previous_ids[reference], reference=reference,
                            action=BatchChange.Action.UPDATED, previous=previous, written_at=plan.now)
                for reference, previous in plan.previous.items()]
    BatchChange.objects.bulk_create(changes, batch_size=500)
    if not changes:
        return  # an import that changed nothing leaves no line in the history either
    audit.log_action(batch, BatchAction.IMPORT, batch.created_by, actor_label="" if batch.created_by else "import",
                     to_value=batch.status, data={"created": batch.created_count, "updated": batch.updated_count,
                                                  "unchanged": batch.unchanged_count})


def _record_merges(batch: ImportBatch, merges: dict[str, dict]) -> None:
    """The listings rows were merged into gain this source (ListingProvenance), with a line in their history."""
    for reference, decision in merges.items():
        listing = Listing.objects.filter(pk=decision["pk"]).first()
        if listing is None:
            continue
        ListingProvenance.objects.create(listing=listing, batch=batch, reference=reference,
                                         file_name=batch.file_name, section_title=decision.get("section", ""),
                                         location=decision.get("location", ""), title=decision.get("title", ""))
        audit.log_action(listing, ListingAction.IMPORT, batch.created_by, actor_label="import",
                         reason=f"合并来自 {batch.file_name} 的同一条目")


def sources_of(listing: Listing) -> list[dict]:
    """Where a listing comes from: its own source, then the sources merged into it."""
    own = [{"file_name": listing.source_document.file_name if listing.source_document else "",
            "section_title": listing.source_section_title, "location": listing.source_location}]
    return own + list(ListingProvenance.objects.filter(listing=listing).values(
        "file_name", "section_title", "location"))


def record_cli_import(plan, context: dict) -> None:
    """The loader's hook for imports made without a batch (the CLI, the seed): recorded as a done batch with
    its file kept."""
    path: Path = context["path"]
    batch = ImportBatch(file_name=path.name[-255:], sha256=context["sha256"], collection=context["collection"][:40],
                        mapping=context["mapping"], actor_label=context["actor_label"][:80],
                        status=ImportBatch.Status.QUEUED)
    batch.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    _record(batch, plan)


# -- undo ----------------------------------------------------------------------------------------------------


@transaction.atomic
def undo(user, batch: ImportBatch) -> ImportBatch:
    """Take a done batch back as a whole: listings it created are removed (untouched since) or withdrawn,
    listings it updated get back what they held before. Undoing twice changes nothing more."""
    require_staff(user)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.UNDONE:
        return batch
    if batch.status != ImportBatch.Status.DONE:
        raise Refused("只有已导入的批次可以撤销。")
    later = ImportBatch.objects.filter(status=ImportBatch.Status.DONE, imported_at__gt=batch.imported_at,
                                       changes__reference__in=batch.changes.values("reference")).distinct()
    if later.exists():
        raise Refused(f"之后的批次“{later.first().file_name}”又导入了其中的条目，请先撤销该批次。")
    reason = f"撤销导入批次：{batch.file_name}"
    for provenance in batch.provenances.select_related("listing"):
        audit.log_action(provenance.listing, ListingAction.IMPORT, user, actor_label="import", reason=reason)
    batch.provenances.all().delete()
    for change in batch.changes.order_by("-id"):
        if change.listing_id is None:
            change.outcome = listing_undo.GONE
        elif change.action == BatchChange.Action.CREATED:
            change.outcome = listing_undo.undo_created(change.listing_id, change.written_at, reason, user)
        else:
            change.outcome = listing_undo.restore_updated(change.listing_id, change.previous, reason, user)
        change.save(update_fields=["outcome"])
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at, batch.undone_by = timezone.now(), user
    batch.save(update_fields=["status", "undone_at", "undone_by"])
    audit.log_action(batch, BatchAction.UNDO, user, from_value=ImportBatch.Status.DONE, to_value=batch.status)
    return batch

"""SQLAlchemy 2.0 models: the nouns of DESIGN §3. Geometry is WGS-84 WKB plus an indexed bounding box."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import geoalchemy2
import shapely
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Date,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from workflow.vocab import CaseSource, CaseStatus, ClaimantKind, Level, Role, Satisfaction, WishStatus, sql_in

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


SRID = 4326


class Geometry(TypeDecorator):
    """A shapely geometry in EPSG:4326: a PostGIS geometry column on PostgreSQL, WKB bytes on SQLite."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(geoalchemy2.Geometry(srid=SRID, spatial_index=False))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            # PostGIS parses hex EWKB as geometry input: no function wrapper needed in the SQL.
            return shapely.to_wkb(shapely.set_srid(value, SRID), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        return shapely.from_wkb(value)


class BBoxMixin:
    """Bounding box columns so "what lies in this view" is an indexed range query on any backend."""

    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)


class Area(BBoxMixin, Base):
    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[Optional[str]] = mapped_column(ForeignKey("area.code"), index=True)
    era: Mapped[Optional[str]] = mapped_column(String(16))  # compounds: old / mid / new / mixed
    leader_name: Mapped[Optional[str]] = mapped_column(String(50))  # grids: 网格长 (PII)
    leader_phone: Mapped[Optional[str]] = mapped_column(String(20))  # grids (PII)
    households: Mapped[int] = mapped_column(Integer, default=0)
    residents: Mapped[int] = mapped_column(Integer, default=0)
    elderly: Mapped[int] = mapped_column(Integer, default=0)
    party_members: Mapped[int] = mapped_column(Integer, default=0)
    buildings: Mapped[int] = mapped_column(Integer, default=0)
    geometry: Mapped[object] = mapped_column(Geometry)
    source_id: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # id in the imported file
    # drawn by the importer where the files have none (the data's outline, one community for a whole street, a block
    # of buildings no compound holds), so drill-down works; shown as such
    generated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # counts include 估算

    __table_args__ = (
        CheckConstraint("level in ('street', 'community', 'grid', 'compound')", name="level_known"),
    )


class Building(BBoxMixin, Base):
    __tablename__ = "building"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    compound_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    community_code: Mapped[str] = mapped_column(String(32), index=True)
    street_code: Mapped[str] = mapped_column(String(32), index=True)
    floors: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    elderly: Mapped[int] = mapped_column(Integer)
    party_members: Mapped[int] = mapped_column(Integer)
    built_year: Mapped[Optional[int]] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)  # a point inside the footprint
    lat: Mapped[float] = mapped_column(Float)
    geometry: Mapped[object] = mapped_column(Geometry)
    source_id: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # id in the imported file
    # households and residents estimated from footprint area × floors (the file had none): 估算 wherever shown
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class BasemapFeature(Base):
    """Our own offline base map: roads, schools, parks, markets."""

    __tablename__ = "basemap_feature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[Optional[str]] = mapped_column(String(100))
    geometry: Mapped[object] = mapped_column(Geometry)
    source_id: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # id in the imported file
    # walking: metres walked per metre of line (1 on the flat, more on steps); None: not walkable (motorways, parks)
    walk_factor: Mapped[Optional[float]] = mapped_column(Float)
    # a bridge, a tunnel or a way on another layer: walked along, but no building or point joins it from the side
    grade_separated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # cut at the junctions of its source (OpenStreetMap ways at shared nodes): joins other lines only at its vertices,
    # never where it merely crosses them (a bridge over a road)
    noded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class PointMixin:
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    compound_code: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    grid_code: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    community_code: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    street_code: Mapped[Optional[str]] = mapped_column(String(32), index=True)


class ServicePoint(PointMixin, Base):
    __tablename__ = "service_point"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_type: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[Optional[str]] = mapped_column(String(200))
    hours: Mapped[Optional[str]] = mapped_column(String(100))
    phone: Mapped[Optional[str]] = mapped_column(String(30))  # the venue's public phone, not a person's
    capacity: Mapped[Optional[int]] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    source_id: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # id in the imported file


class VolunteerPost(PointMixin, Base):
    __tablename__ = "volunteer_post"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    post_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    slots_required: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[Optional[str]] = mapped_column(String(100))
    source_id: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # id in the imported file


class Volunteer(Base):
    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))  # PII
    phone: Mapped[Optional[str]] = mapped_column(String(20))  # PII
    kind: Mapped[str] = mapped_column(String(20))  # 小区党员 / 在职党员报到 / 下沉干部 / 居民志愿者
    home_building_code: Mapped[Optional[str]] = mapped_column(ForeignKey("building.code"), index=True)
    unit: Mapped[Optional[str]] = mapped_column(String(100))  # 报到单位


class Assignment(Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    post_code: Mapped[str] = mapped_column(ForeignKey("volunteer_post.code"), index=True)
    since: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceRecord(Base):
    __tablename__ = "service_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    post_code: Mapped[str] = mapped_column(ForeignKey("volunteer_post.code"))
    served_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)


class Case(PointMixin, Base):
    __tablename__ = "case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    reporter_name: Mapped[Optional[str]] = mapped_column(String(50))  # PII
    reporter_phone: Mapped[Optional[str]] = mapped_column(String(20))  # PII
    building_code: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    level: Mapped[str] = mapped_column(String(8))  # 小区 / 网格 / 社区 / 街道
    status: Mapped[str] = mapped_column(String(8))
    assignee: Mapped[Optional[str]] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    satisfaction: Mapped[Optional[str]] = mapped_column(String(8))
    # the first deadline the case missed (escalation moved it up a level with a fresh deadline): it stays 超期升级
    # from then on, and how long it has been overdue in all is counted from here
    overdue_since: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # the intake form's one-time token: a second submission of the same form finds this case instead of making one
    client_token: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_case_street_status", "street_code", "status"),
        Index("ix_case_community_status", "community_code", "status"),
        Index("ix_case_created", "created_at"),
        CheckConstraint(sql_in("status", CaseStatus), name="status_known"),
        CheckConstraint(sql_in("level", Level), name="level_known"),
        CheckConstraint(sql_in("source", CaseSource), name="source_known"),
        CheckConstraint(sql_in("satisfaction", Satisfaction, nullable=True), name="satisfaction_known"),
    )


class CaseEvent(Base):
    """Append-only audit trail of a case."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[Optional[str]] = mapped_column(String(50))  # the display name at the time
    # the account that acted; None for the system (escalation, Open311) and for accounts since deleted
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[Optional[str]] = mapped_column(String(8))
    to_status: Mapped[Optional[str]] = mapped_column(String(8))
    note: Mapped[Optional[str]] = mapped_column(Text)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)  # normalised (db/users.normalise_username)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # a Role value
    scope_code: Mapped[Optional[str]] = mapped_column(String(32))  # None: everything (admin)
    display_name: Mapped[Optional[str]] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # one of the demo's published accounts: works only while the database holds the demo, removed by clear-demo
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # in every signed session of this account; logout, a new password and deactivation move it on, which ends
    # every session signed with the old number (other browsers too)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint(sql_in("role", Role), name="role_known"),
    )


class LoginFailure(Base):
    """Failed logins, kept in the database so throttling holds across every worker."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class DisplayToken(Base):
    """A revocable token that opens the big screen on a kiosk without a keyboard (role screen, read-only)."""

    __tablename__ = "display_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex; the token itself is shown once
    label: Mapped[str] = mapped_column(String(100))
    scope_code: Mapped[Optional[str]] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class DataVersion(Base):
    """One counter per dataset; bumped on every write so cached map layers know they are stale."""

    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    seeded_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    note: Mapped[Optional[str]] = mapped_column(String(200))


class ImportBatch(Base):
    """One import of one file: listed on /admin/import/ and undone as a whole (what it created removed, what it
    updated restored)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # the layer: buildings, compounds, … or osm (a whole street)
    file_name: Mapped[Optional[str]] = mapped_column(String(200))
    crs: Mapped[Optional[str]] = mapped_column(String(40))
    counts: Mapped[Optional[str]] = mapped_column(Text)  # JSON
    status: Mapped[str] = mapped_column(String(12), default="applied")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[Optional[str]] = mapped_column(String(50))
    rolled_back_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    rolled_back_by: Mapped[Optional[str]] = mapped_column(String(50))

    __table_args__ = (CheckConstraint("status in ('applied', 'rolled_back')", name="status_known"),)


class ImportChange(Base):
    """One row a batch created, updated or deleted; `before` holds the row as it was (JSON) for the undo."""

    __tablename__ = "import_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(32))
    row_key: Mapped[str] = mapped_column(String(64))  # the row's code (or id)
    action: Mapped[str] = mapped_column(String(8))
    before: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (CheckConstraint("action in ('created', 'updated', 'deleted')", name="action_known"),)


class UploadCommit(Base):
    """An uploaded file's token, kept once its import is committed: the second commit of one upload (a double
    click, two tabs, two workers at once) meets this row and is refused instead of importing the file again."""

    __tablename__ = "upload_commit"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)  # callbacks/uploads.py: 32 hex digits
    kind: Mapped[str] = mapped_column(String(20))  # cases, or the layer of a geodata import
    committed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    committed_by: Mapped[Optional[str]] = mapped_column(String(50))


class AppLock(Base):
    """A row a transaction writes first to hold a lock on SQLite (one writer at a time) until it ends; PostgreSQL
    uses advisory locks instead (db/locks.py). `held_at` says when it was last taken."""

    __tablename__ = "app_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    held_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class AppSetting(Base):
    """An admin-editable setting stored as JSON (deadlines per category, the yellow window, …)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    updated_by: Mapped[Optional[str]] = mapped_column(String(50))


class CasePhoto(Base):
    """A photo taken at intake, re-encoded by the server (never the uploaded bytes as they came)."""

    __tablename__ = "case_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Wish(PointMixin, Base):
    """微心愿: a resident's small wish, published → claimed by a volunteer or a 报到单位 → completed."""

    __tablename__ = "wish"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[Optional[str]] = mapped_column(Text)
    wisher_name: Mapped[Optional[str]] = mapped_column(String(50))  # PII
    wisher_phone: Mapped[Optional[str]] = mapped_column(String(20))  # PII
    building_code: Mapped[Optional[str]] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(8), index=True)  # 已发布 / 已认领 / 已完成 / 已撤回
    claimant: Mapped[Optional[str]] = mapped_column(String(100))
    claimant_kind: Mapped[Optional[str]] = mapped_column(String(10))  # 志愿者 / 报到单位
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    claimed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    completed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    note: Mapped[Optional[str]] = mapped_column(Text)
    client_token: Mapped[Optional[str]] = mapped_column(String(64), unique=True)  # as on a case: one wish per form
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(sql_in("status", WishStatus), name="status_known"),
        CheckConstraint(sql_in("claimant_kind", ClaimantKind, nullable=True), name="claimant_kind_known"),
    )


class PlanningCandidate(Base):
    """A place a new service point could open: 闲置用房, 架空层, 空置店面 … (edited by officials on /planning)."""

    __tablename__ = "planning_candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    note: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_by: Mapped[Optional[str]] = mapped_column(String(50))


class PlanningScenario(Base):
    """A saved planning run: its inputs and its result (chosen sites, coverage before and after) as JSON."""

    __tablename__ = "planning_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    service_type: Mapped[str] = mapped_column(String(20))
    objective: Mapped[str] = mapped_column(String(20))  # mclp | pmedian | manual
    result: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[Optional[str]] = mapped_column(String(50))
    # the account that saved it: its author may delete it (db/access.py); None before 0013 matched no account
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("street_code", "name", name="uq_planning_scenario_street_code_name"),)


class PlanningResult(Base):
    """A plan the server computed (optimised or what-if), kept for a day under a random token.

    The page holds only the token, so what is shown and what a saved scenario stores are the server's numbers,
    never ones a browser sent.
    """

    __tablename__ = "planning_result"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_code: Mapped[str] = mapped_column(String(32))
    service_type: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)

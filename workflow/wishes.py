"""微心愿 as pure rules: 已发布 → 已认领 (by a volunteer or a 报到单位) → 已完成; a claim can be given back; withdrawn."""
from __future__ import annotations

from dataclasses import dataclass

from workflow.vocab import WISH_CLAIMANT_KINDS, WishStatus

PUBLISHED, CLAIMED, DONE, WITHDRAWN = WishStatus.PUBLISHED, WishStatus.CLAIMED, WishStatus.DONE, WishStatus.WITHDRAWN
OPEN = (PUBLISHED, CLAIMED)

# action: (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "claim": ((PUBLISHED,), CLAIMED),          # 认领
    "complete": ((CLAIMED,), DONE),            # 完成
    "release": ((CLAIMED,), PUBLISHED),        # 放弃认领: back on the board for someone else
    "withdraw": ((PUBLISHED, CLAIMED), WITHDRAWN),  # 撤回: the resident no longer needs it
}
ACTION_LABELS = {"claim": "认领", "complete": "完成", "release": "放弃认领", "withdraw": "撤回"}


class WishError(ValueError):
    """A wish action the rules refuse, or input they cannot take; the message is Chinese."""


@dataclass(frozen=True)
class WishStep:
    status: str
    claimant: str | None
    claimant_kind: str | None


def apply(action: str, status: str, claimant: str | None = None, claimant_kind: str | None = None,
          current_claimant: str | None = None, current_kind: str | None = None) -> WishStep:
    """What `action` does to a wish in `status`; raises WishError when it is not allowed."""
    if action not in ACTIONS:
        raise WishError(f"未知操作：{action}")
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise WishError(f"「{status}」的微心愿不能{ACTION_LABELS[action]}")
    if action == "claim":
        who = (claimant or "").strip()
        if not who:
            raise WishError("认领需要填写认领的志愿者或报到单位")
        if len(who) > 100:
            raise WishError("认领人名称过长")
        if claimant_kind not in WISH_CLAIMANT_KINDS:
            raise WishError("请选择认领方：志愿者或报到单位")
        return WishStep(target, who, claimant_kind)
    if action == "release":
        return WishStep(target, None, None)
    return WishStep(target, current_claimant, current_kind)

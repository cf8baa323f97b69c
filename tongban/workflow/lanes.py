"""Which role a lane stands for, and which department a task of that lane goes to.

A lane is named the way anyone draws it in bpmn.io or Camunda Modeler: its name contains
exactly one role, either the role's Chinese name or its code — "窗口人员", "审批人员 approver",
"牵头部门 审批人员". A user task may narrow its role with Camunda's ``candidateGroups``
(one role code). Departments are given when an instance starts: by lane name, else by role
code, else ``"*"`` (every lane); a multi-instance task whose item is a department code goes to
that department (parallel approval).
"""

import re

from tongban.org.models import StaffMembership

Role = StaffMembership.Role
ANY_LANE = "*"


def role_of_lane(name: str | None) -> str | None:
    """The one role a lane name names, or ``None`` (no role, or more than one)."""
    if not name:
        return None
    words = set(re.findall(r"[a-z_]+", name.lower()))
    found = {role.value for role in Role if role.value in words or str(role.label) in name}
    return found.pop() if len(found) == 1 else None


def department_key(mapping: dict, lane: str, role: str):
    """The mapping's entry for a task: by lane name, then role code, then ``"*"``."""
    for key in (lane, role, ANY_LANE):
        if key in mapping:
            return mapping[key]
    return None

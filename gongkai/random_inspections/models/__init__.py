"""The models of random inspections (双随机、一公开), one module per part of the rule:

- ``matters``: the list of inspection matters (一单), in versions;
- ``directories``: the two directories (两库) — entities that may be inspected, imported
  by unified social credit code, and the inspectors — with declared conflicts;
- ``tasks``: the year's plan, its tasks, their frozen inputs and their draws;
- ``results``: findings per drawn target, their publication (一公开) and follow-up cases.
"""

from gongkai.random_inspections.models.directories import (  # noqa: F401
    DirectoryImport,
    Entity,
    Inspector,
    InspectorConflict,
)
from gongkai.random_inspections.models.matters import (  # noqa: F401
    InspectionMatter,
    InspectionMethod,
    MatterList,
    MatterListStatus,
)
from gongkai.random_inspections.models.results import (  # noqa: F401
    FollowUpCase,
    FollowUpStatus,
    Result,
)
from gongkai.random_inspections.models.tasks import (  # noqa: F401
    MIN_INSPECTORS_PER_TARGET,
    TRANSITIONS,
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    InspectionPlan,
    InspectionTask,
    SeedMode,
    TaskStatus,
)

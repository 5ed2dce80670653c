"""Type stubs of the Rust extension module; the public API is in ``spotsim/__init__.py``."""

from typing import Dict, List, Optional, Sequence, Tuple, TypedDict, Union

__version__: str
DEFAULT_TARGET: float
DICT_LABEL: str

class InputError(ValueError):
    """Invalid input; ``str()`` is the command line's one-line message."""

    file: str
    line: Optional[int]
    key: Optional[str]
    message: str

class JobSource(TypedDict):
    kind: str  # "request" or "estimator"
    text: str  # JSON
    label: str

class Scenario:
    @staticmethod
    def load(
        path: Optional[str] = None,
        text: Optional[str] = None,
        label: Optional[str] = None,
        job: Optional[JobSource] = None,
        generated: bool = False,
    ) -> "Scenario": ...
    @property
    def name(self) -> str: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    def to_toml(self) -> str: ...

class PlanResult:
    def json(self) -> str: ...
    def rows_json(self) -> str: ...
    def save(self, folder: str) -> None: ...
    def write_files(self, folder: str) -> None: ...

_Duration = Union[float, str]

def toml_of_dict(scenario: Dict[str, object]) -> str: ...
def simulate(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    per_trial: bool = False,
) -> Tuple[str, Optional[Dict[str, Union[bytes, List[str]]]]]: ...
def plan(
    scenario: Scenario,
    target: float,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_wait_cap: Optional[_Duration] = None,
    grid_step: Optional[_Duration] = None,
    points: Optional[int] = None,
    checkpoint_intervals: Optional[Sequence[_Duration]] = None,
    deadline: Optional[_Duration] = None,
    objective: Optional[str] = None,
) -> PlanResult: ...
def describe(scenario: Scenario, trial: int, seed: Optional[int] = None) -> str: ...

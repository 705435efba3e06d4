"""The session state machine against a dumb model, as a hypothesis RuleBasedStateMachine.

Random interleavings of create, prepare and activate over two applications must keep
Vespa's guarantees: generations only grow, exactly the model's sessions are active, an
activation succeeds exactly when nothing was activated since the session was created.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from configserver.errors import (
    ActivationConflictError,
    BadRequestError,
    PreconditionFailedError,
)
from configserver.session import MemorySessionStore, SessionManager, SessionStatus
from tests.unit.configserver.test_session_manager import SERVICES, counting_ports, tiny_derive

APPLICATIONS = st.sampled_from(["a", "b"])


@dataclass
class ModelSession:
    session_id: int
    application: str
    base: int | None
    status: str = "new"


class SessionMachine(RuleBasedStateMachine):
    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        self.manager = SessionManager(MemorySessionStore(), tiny_derive, counting_ports())
        self.model: dict[int, ModelSession] = {}
        self.active: dict[str, int] = {}
        self.highest: dict[str, int] = {}

    @rule(target=sessions, application=APPLICATIONS)
    def create(self, application: str) -> int:
        session_id = self.manager.create("default", {"services.xml": SERVICES}, application)
        assert session_id not in self.model
        assert all(session_id > s for s in self.model)
        self.model[session_id] = ModelSession(session_id, application, self.active.get(application))
        return session_id

    @rule(session_id=sessions)
    def prepare(self, session_id: int) -> None:
        model = self.model[session_id]
        if model.status in ("activated", "deactivated"):
            try:
                self.manager.prepare("default", session_id)
            except PreconditionFailedError:
                return
            raise AssertionError("prepared a session that was activated")
        self.manager.prepare("default", session_id)
        model.status = "prepared"

    @rule(session_id=sessions)
    def activate(self, session_id: int) -> None:
        model = self.model[session_id]
        current = self.active.get(model.application)
        try:
            self.manager.activate("default", session_id)
        except BadRequestError:
            assert current == session_id
            return
        except PreconditionFailedError:
            assert model.status != "prepared"
            return
        except ActivationConflictError:
            assert model.status == "prepared"
            assert model.base != current
            return
        assert model.status == "prepared"
        assert model.base == current
        if current is not None:
            self.model[current].status = "deactivated"
        model.status = "activated"
        self.active[model.application] = session_id

    @invariant()
    def statuses_match_the_model(self) -> None:
        for session_id, model in self.model.items():
            assert self.manager.session("default", session_id).status is SessionStatus(model.status)

    @invariant()
    def generations_only_grow(self) -> None:
        for application in ("a", "b"):
            generation = self.manager.active_generation("default", application)
            assert generation == self.active.get(application)
            if generation is not None:
                assert generation >= self.highest.get(application, 0)
                self.highest[application] = generation
                found = self.manager.active_config("default", application, "node")
                assert found is not None
                assert found[0] == generation


TestSessionStateMachine = SessionMachine.TestCase

"""The demo bureau gets one consultation in each state."""

from gongkai.consultations import selectors
from gongkai.consultations.demo import load_demo_consultations
from gongkai.consultations.models import CommentStatus, Consultation, Phase
from gongkai.core.demo import load_demo
from gongkai.publishing.demo import load_demo_publications


def test_the_demo_has_a_consultation_in_each_state(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    load_demo_publications()
    assert load_demo_consultations() == 5
    assert load_demo_consultations() == 0  # once only
    phases = {selectors.phase(c): c for c in Consultation.objects.all()}
    assert set(phases) == {Phase.DRAFT, Phase.OPEN, Phase.CLOSED, Phase.FEEDBACK_PUBLISHED, Phase.WITHDRAWN}
    assert phases[Phase.OPEN].comments.filter(status=CommentStatus.PENDING).count() == 2
    assert phases[Phase.FEEDBACK_PUBLISHED].final_document is not None
    assert selectors.feedback_of(phases[Phase.FEEDBACK_PUBLISHED]).rate == 66.7
    assert phases[Phase.CLOSED] in Consultation.objects.filter(
        pk__in=selectors.consultation_list(user=phases[Phase.CLOSED].created_by,
                                           agency=phases[Phase.CLOSED].agency,
                                           queue="awaiting_feedback"))

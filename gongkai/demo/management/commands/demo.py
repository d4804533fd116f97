"""`gongkai demo`: load the fictional demo province into an empty database (after
applying migrations); on a database that already has agencies it loads nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongkai.answers.demo import load_demo_faqs
from gongkai.consultations.demo import load_demo_consultations
from gongkai.conversions.demo import load_demo_conversions
from gongkai.core import demo
from gongkai.foi.demo import load_demo_requests
from gongkai.hotspots.demo import load_demo_complaints
from gongkai.interaction.demo import load_demo_messages
from gongkai.publishing.demo import load_demo_publications
from gongkai.reports.demo import load_demo_reports


class Command(BaseCommand):
    help = "Load demo data into an empty database; a second run does nothing."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if demo.load_demo():
            requests = load_demo_requests()
            publications = load_demo_publications()
            consultations = load_demo_consultations()
            conversions = load_demo_conversions()  # repeated requests (Art. 44) and their conversion
            messages = load_demo_messages()
            # Computed from the requests, publications and conversions above.
            reports = load_demo_reports()
            complaints = load_demo_complaints()
            faqs = load_demo_faqs()  # answers drawn from the publications above
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded ({requests} requests, {publications} publications, "
                f"{consultations} consultations, {conversions} repeated requests, {messages} messages, "
                f"{complaints} complaints, {faqs} FAQs, {reports} annual reports)."))
        else:
            self.stdout.write("Database already has agencies: no demo data loaded.")
        if demo.demo_users_present():
            self.stdout.write("Demo sign-ins (http://127.0.0.1:8000/staff/sign-in/):")
            for username, password, description in demo.DEMO_LOGINS:
                self.stdout.write(f"  {username:<12} {password:<16} {description}")

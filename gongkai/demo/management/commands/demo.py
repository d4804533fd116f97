"""`gongkai demo`: load the fictional demo province into an empty database (after
applying migrations); on a database that already has agencies it loads nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongkai.answers.demo import load_demo_faqs
from gongkai.channels.demo import load_demo_channels
from gongkai.consultations.demo import load_demo_consultations
from gongkai.conversions.demo import load_demo_conversions
from gongkai.core import demo
from gongkai.foi.demo import load_demo_requests
from gongkai.hotspots.demo import load_demo_complaints
from gongkai.inspection.demo import load_demo_site_faults
from gongkai.interaction.demo import load_demo_messages
from gongkai.powerlists.demo import load_demo_powerlists
from gongkai.publishing.demo import load_demo_publications
from gongkai.random_inspections.demo import load_demo_random_inspections
from gongkai.reports.demo import load_demo_reports
from gongkai.workplans.demo import load_demo_workplans


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
            powerlists = load_demo_powerlists()
            # Before the reports: their drafted overview states the work plan and the accounts.
            tasks = load_demo_workplans()
            # After the work plans: the bureau's list, directories and a year of inspection tasks.
            inspections = load_demo_random_inspections()
            channels = load_demo_channels()
            # Computed from the requests, publications and conversions above.
            reports = load_demo_reports()
            complaints = load_demo_complaints()
            faqs = load_demo_faqs()  # answers drawn from the publications above
            # Last: faults for the website self-inspection to find (a stale column, a dead link …).
            faults = load_demo_site_faults()
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded ({requests} requests, {publications} publications, "
                f"{consultations} consultations, {conversions} repeated requests, {messages} messages, "
                f"{powerlists} power-list items, {tasks} work-plan tasks, {inspections} random-inspection tasks, "
                f"{channels} account-months, "
                f"{complaints} complaints, {faqs} FAQs, {faults} website faults, {reports} annual reports)."))
        else:
            self.stdout.write("Database already has agencies: no demo data loaded.")
        if demo.demo_users_present():
            self.stdout.write("Demo sign-ins (http://127.0.0.1:8000/staff/sign-in/):")
            for username, password, description in demo.DEMO_LOGINS:
                self.stdout.write(f"  {username:<12} {password:<16} {description}")

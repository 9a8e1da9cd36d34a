from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "SRE Learning Portal"

    def ready(self):
        from portal import metrics, signals

        # dispatch_uid: connected once even if ready() runs again (test runners may call it twice).
        signals.user_signed_up.connect(
            metrics.count_signup, dispatch_uid="portal.metrics.count_signup"
        )
        metrics.record_process_start()

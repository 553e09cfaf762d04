"""The application factory."""

from __future__ import annotations

import os

from flask import Flask, g, request

from config import BASE_DIR, Config, config_for


def create_app(config: type[Config] | None = None, *, refuse_unsafe: bool = True, **overrides) -> Flask:
    """The app for `config` (APP_ENV's class by default: production). Production refuses to start
    unsafe (service/safety.py); only `flask doctor` asks for refuse_unsafe=False, to explain why."""
    config = config or config_for()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    if refuse_unsafe:
        from service.safety import refuse_unsafe_start

        refuse_unsafe_start(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    from service.documents.renderer import renderer

    renderer(app.config["DOCUMENT_FONT_DIR"])  # a missing document font stops the start, with the reason

    if app.config["PROXY_COUNT"]:
        # Behind nginx or a load balancer: take the client address from X-Forwarded-For, so that rate
        # limits and consent records see the citizen, not the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    from service.logs import init_logging

    init_logging(app)
    register_security_headers(app)
    from service import requests as request_guards

    request_guards.install(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    from service.errors import register_errorhandlers

    register_errorhandlers(app)
    register_commands(app)
    from service.access import check_every_view_declares_access

    check_every_view_declares_access(app)
    return app


# Pages with no rate limit of their own, asked for by every visitor (Flask-Limiter has no default limits).
UNLIMITED_ENDPOINTS = frozenset(
    {
        "home.index",
        "home.healthz",
        "procedures.index",
        "procedures.detail",
        "api.procedures",
        "api.procedure",
        "quality.public",
        # Gateways' server-to-server notifications: authenticated by their signature or key, retried by
        # the gateway, and as many as payments are made (issue 18: hundreds a second at a peak).
        "payments.vnpay_ipn",
        "payments.momo_ipn",
        "payments.bankfeed_sepay",
        "payments.paygov_confirm",
    }
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Every script, style and image is served by the app itself: nothing is fetched from elsewhere.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    # No page of ours uses these browser features, so nothing injected into one can either.
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=()"
    ),
}
# Browsers come back over HTTPS only, for a year, subdomains included (sent when cookies are HTTPS-only:
# a development server on plain HTTP must not pin its host to HTTPS).
HSTS = "max-age=31536000; includeSubDomains"
STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


def register_security_headers(app: Flask) -> None:
    from service.cache import public_headers

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint == "static":
            if request.args.get("v"):
                # static_url() names the file by its content's hash: a new version is a new URL.
                response.headers["Cache-Control"] = STATIC_CACHE_CONTROL
        elif g.get("public_page") and response.status_code == 200:
            # The same catalogue or statistics page for every anonymous visitor (service/cache.py).
            public_headers(response)
        else:
            # Pages, files and documents carry personal data (names, identity numbers, dossiers): no
            # browser or proxy keeps a copy, for the next user of a shared computer to find in history.
            response.headers["Cache-Control"] = "no-store"
        if request.path.startswith("/api/") and response.mimetype == "application/json":
            # Opened directly in a browser, an API answer is a file, never a page (ASVS 4.0.3 14.4.2).
            response.headers.setdefault("Content-Disposition", 'attachment; filename="api.json"')
        return response


def register_extensions(app: Flask) -> None:
    from service.cache import cache
    from service.database import configure_engine, require_write_lock
    from service.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    # The pages that declare no rate limit skip the limiter's per-request bookkeeping (resolving the
    # limits of the endpoint each time): a tenth of a public page's time, for nothing.
    limiter.request_filter(lambda: request.endpoint in UNLIMITED_ENDPOINTS)
    with app.app_context():
        configure_engine(db.engine)
    if app.config["STRICT_WRITES"]:
        require_write_lock()
    import service.models  # noqa: F401  every model, for Alembic and relationships
    from service import tasks  # noqa: F401  every job is declared on import
    from service.jobs import engine

    engine.init_app(app)
    from service.accounts import login as _login  # noqa: F401  registers the user loader

    connect_features()


def connect_features() -> None:
    """The features that use the payments and documents services answer their questions and hear their
    events (neither service imports them; see docs/architecture.md). Connecting twice changes nothing."""
    from service.backoffice import subscribers as backoffice
    from service.dossiers import subscribers as dossiers
    from service.nationalportal import subscribers as national_portal
    from service.payments import receipts
    from service.postal import subscribers as postal
    from service.quality import subscribers as quality
    from service.reporting import subscribers as reporting
    from service.schools import subscribers as schools

    for feature in (receipts, dossiers, schools, backoffice, quality, reporting, national_portal, postal):
        feature.connect()


def register_blueprints(app: Flask) -> None:
    from service.accounts.second_factor_views import bp as second_factor_bp
    from service.accounts.views import bp as accounts_bp
    from service.accounts.vneid_views import bp as vneid_bp
    from service.admin.views import bp as admin_bp
    from service.agencies.views import bp as agencies_bp
    from service.api.views import bp as api_bp
    from service.backoffice.desk_views import bp as desk_bp
    from service.backoffice.views import bp as backoffice_bp
    from service.documents.views import bp as documents_bp
    from service.dossiers.document_views import bp as dossier_documents_bp
    from service.dossiers.school_views import bp as school_applications_bp
    from service.dossiers.views import bp as dossiers_bp
    from service.home import bp as home_bp
    from service.procedures.views import bp as procedures_bp

    for blueprint in (
        home_bp,
        accounts_bp,
        second_factor_bp,
        vneid_bp,
        procedures_bp,
        dossiers_bp,
        dossier_documents_bp,
        school_applications_bp,
        documents_bp,
        backoffice_bp,
        desk_bp,
        admin_bp,
        agencies_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    from service.payments.views import bp as payments_bp
    from service.schools.paylink import bp as paylink_bp
    from service.schools.views import bp as schools_bp

    app.register_blueprint(payments_bp)
    app.register_blueprint(schools_bp)
    app.register_blueprint(paylink_bp)
    from service.quality.views import bp as quality_bp

    app.register_blueprint(quality_bp)
    from service.reporting.views import bp as reporting_bp

    app.register_blueprint(reporting_bp)
    from service.admin.jobs import bp as jobs_bp

    app.register_blueprint(jobs_bp)
    from service.audit.views import bp as audit_bp

    app.register_blueprint(audit_bp)
    from service.nationalportal.views import bp as national_portal_bp

    app.register_blueprint(national_portal_bp)
    from service.postal.views import bp as postal_bp

    app.register_blueprint(postal_bp)
    if app.config["PAYMENT_SIMULATORS"]:
        from service.payments.paygov_simulator import bp as paygov_simulator_bp
        from service.payments.simulators import bp as simulators_bp

        app.register_blueprint(simulators_bp)
        app.register_blueprint(paygov_simulator_bp)
    if app.config["VNEID_SIMULATOR"]:  # development and tests only: production refuses it (safety.py)
        from service.accounts.vneid_simulator import bp as vneid_simulator_bp

        app.register_blueprint(vneid_simulator_bp)
    if app.config["TAX_AUTHORITY_SIMULATOR"]:  # development and tests only: production refuses it
        from service.payments.tax_simulator import bp as tax_simulator_bp

        app.register_blueprint(tax_simulator_bp)
    if app.config["NATIONAL_PORTAL_SIMULATOR"]:  # development and tests only: production refuses it
        from service.nationalportal.simulator import bp as national_portal_simulator_bp

        app.register_blueprint(national_portal_simulator_bp)
    if app.config["POSTAL_SIMULATOR"]:  # development and tests only: production refuses it
        from service.postal.simulator import bp as postal_simulator_bp

        app.register_blueprint(postal_simulator_bp)


def register_template_helpers(app: Flask) -> None:
    from service.accounts.roles import DOSSIER_ROLES, ROLE_LABELS
    from service.money import format_money, format_number, format_percent, format_vnd
    from service.text import format_megabytes
    from service.timeutil import format_date, format_datetime

    app.jinja_env.filters.update(
        vnd=format_vnd,
        date_vn=format_date,
        datetime_vn=format_datetime,
        megabytes=format_megabytes,
        percent=format_percent,
        number=format_number,
        money=format_money,
    )
    from service.cache import static_url
    from service.jobs.outbox import STATUS_LABELS

    app.jinja_env.globals.update(
        role_labels=ROLE_LABELS,
        job_status_labels=STATUS_LABELS,
        static_url=static_url,
        dossier_roles=DOSSIER_ROLES,  # who may open a dossier's page (others see its code, not a link)
    )


def register_commands(app: Flask) -> None:
    from service.cli import register

    register(app)

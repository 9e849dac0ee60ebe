"""Flask extensions, created here and bound to the app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from app.api import LeadSyncApi
from app.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
# No default limits: only failed sign-ins are limited (see accounts.routes).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = LeadSyncApi()

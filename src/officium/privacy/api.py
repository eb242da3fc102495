"""The privacy engine's API, mounted at /api/privacy/; each part adds its sub-router."""

from ninja import Router

from officium.privacy.rights.api import router as rights_router

router = Router()
router.add_router("/rights", rights_router)

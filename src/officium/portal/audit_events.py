"""Audit events of the document portal."""

from officium.privacy.audit.events import declare

SPACE_CREATED = declare("portal.space_created", "Created a space")
SPACE_MEMBER_ADDED = declare("portal.space_member_added", "Added someone to a space")
SPACE_MEMBER_REMOVED = declare("portal.space_member_removed", "Removed someone from a space")
FOLDER_CREATED = declare("portal.folder_created", "Created a folder")
UPLOAD_STARTED = declare("portal.upload_started", "Started an upload")
UPLOAD_DISCARDED = declare("portal.upload_discarded", "Discarded an unfinished upload")
FILE_UPLOADED = declare("portal.file_uploaded", "Uploaded a file")
FILE_DOWNLOADED = declare("portal.file_downloaded", "Downloaded a file")
FILE_INTEGRITY_FAILED = declare("portal.file_integrity_failed",
                                "A stored file failed its integrity check")
SHARE_CREATED = declare("portal.share_created", "Created a share link")
SHARE_REVOKED = declare("portal.share_revoked", "Revoked a share link")
SHARE_DOWNLOADED = declare("portal.share_downloaded", "A share link was used to download")
SUPPORT_LISTING = declare("portal.support_listing", "Support viewed a space's file listing")

"""Attendance and location: geofences, check-in/out, location events, privacy mode, devices."""

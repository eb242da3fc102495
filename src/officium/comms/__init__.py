"""Communications: service and marketing email, newsletter, contact, complaints."""

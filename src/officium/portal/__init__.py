"""Client document portal: encrypted, streaming, resumable file exchange."""

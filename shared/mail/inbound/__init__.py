"""Inbound mail, MIME side: raw bytes to the frozen `InboundMail` value (`parse.parse_inbound_mail`).

One module per concern: `charsets` and `headers` (decoding), `classification` (automatic mail),
`delivery_status` (bounces), `html_text` and `parts` (body and attachments), `replies` (quote
stripping). Pure: no AWS, no database, no clock.
"""

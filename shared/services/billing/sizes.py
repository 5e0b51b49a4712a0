"""The billing queue and how many accounts are billed together; imported by app.py's queue wiring, so it
imports nothing."""

# Accounts billed together: their invoices, mails and cursors share one transaction with the counter
# (a month each is 3 items of the 100 a transaction holds; accounts owing more months spill into more).
# The queue consumer takes as many messages at once: one batch, one commit.
BATCH_SIZE = 25

# The SQS queue the nightly run fills and the consumer reads (created by infra/package.py's template).
BILLING_QUEUE = "cocoon-billing"

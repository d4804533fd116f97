"""The message board and director's mailbox (留言板/局长信箱): messages, routing, replies, ratings."""

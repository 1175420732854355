"""Notes a loader leaves on a `Resource` for the rules to read back: one home for their spelling.

The loaders write them (`plangate.loaders.roles.link`) and the rules read them
(`plangate.rules.scope`), so the spelling lives below both and neither imports the other.

>>> from plangate.model import Resource
>>> fn = Resource("aws_lambda_function", "aws_lambda_function.f", "example")
>>> fn.notes = (ROLE_NOTE.format(role="aws_iam_role.r", actions="bedrock:InvokeModel*, sagemaker:*"),)
>>> role_actions(fn)
('bedrock:InvokeModel*', 'sagemaker:*')
"""

from __future__ import annotations

from plangate.model import Resource

#: The note `plangate.loaders.roles.link` puts on a Lambda function whose execution role may
#: call a model; `role_actions` parses it.
ROLE_NOTE = "execution role {role} may call: {actions}"
_NOTE_HEAD, _NOTE_SEP = "execution role ", " may call: "


def role_actions(res: Resource) -> tuple[str, ...]:
    """The invoke-related action patterns the loader found for ``res``'s execution role."""
    for note in res.notes:
        if note.startswith(_NOTE_HEAD) and _NOTE_SEP in note:
            return tuple(note.split(_NOTE_SEP, 1)[1].split(", "))
    return ()

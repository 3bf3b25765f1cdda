"""The verifier: proves offline that the Terraform half and the GitOps half agree (DESIGN §7).

It reads only artifacts (``cdk.tf.json`` files and rendered YAML), never the model or the
renderers, so it checks exactly what Terraform and Argo CD will see and can be pointed at any
tree. Layers: schema, consistency, policy, drift. Each rule has an id and a docstring naming
the failure it prevents.
"""

from goldenpath.verify.report import Violation

__all__ = ["Violation"]

"""Policy layer (checkov on both halves, argocd-source-lint): registered in a later step."""

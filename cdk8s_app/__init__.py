"""cdk8s half of the generator: the GitOps tree Argo CD syncs (DESIGN §6)."""

"""CDK for Terraform stacks, one module per stack kind (DESIGN §5); composed by :mod:`stacks.app`."""

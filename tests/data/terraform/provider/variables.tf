variable "cluster_name" {
  type    = string
  default = "prod.k8s.example.com"
}

variable "audit_days" {
  type = number
}

locals {
  authz = "Node,RBAC"
}

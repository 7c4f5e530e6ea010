# Production cluster, managed with the kops Terraform provider.
resource "kops_cluster" "prod" {
  name               = var.cluster_name
  kubernetes_version = "1.31.6"

  authorization {
    rbac {}
  }

  kube_api_server {
    anonymous_auth {
      value = false
    }
    enable_profiling   = true # left on during the perf investigation
    audit_log_max_age  = var.audit_days
    authorization_mode = local.authz
  }

  kubelet {
    anonymous_auth {
      value = false
    }
    read_only_port = 10255
  }

  // control plane kubelets
  control_plane_kubelet {
    read_only_port = 0
  }
}

resource "kops_instance_group" "nodes" {
  cluster_name = kops_cluster.prod.id
  name         = "nodes-a"
  role         = "Node"
  min_size     = 2
  max_size     = 5

  kubelet {
    anonymous_auth {
      value = true
    }
  }
}

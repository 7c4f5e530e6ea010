// Hand-formatted (not terraform fmt): = signs at a fixed column.
resource "kops_cluster" "cluster" {
  name                 = "cluster.example.com"
  kubernetes_version   = "1.30.2"
  dns_zone             = "example.com"

  kube_scheduler {
    enable_profiling=true
  }
  kubelet {
  }
}

resource "kops_instance_group" "nodes" {
  cluster_name       = kops_cluster.cluster.id
  name               = "nodes"   # hand-aligned, wider than fmt would make it
  role               = "Node"
}

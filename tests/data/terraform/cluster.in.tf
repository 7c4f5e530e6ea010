# kops cluster managed with the kops Terraform provider.
resource "kops_cluster" "cluster" {
  name               = local.clusterName
  admin_ssh_key      = file("${path.module}/id_rsa.pub")
  kubernetes_version = var.kubernetes_version # pinned in terraform.tfvars
  dns_zone           = "example.com"

  cloud_provider {
    aws {}
  }

  iam { allow_container_registry = true }

  authorization {
    rbac {}
  }

  /* API server flags, see CIS section 1.2 */
  kube_api_server {
    enable_profiling = true # TODO: harden
    audit_log_path   = "/var/log/kube-apiserver-audit.log"

    append_admission_plugins = ["NodeRestriction"]
    disable_admission_plugins = [
      "AlwaysAdmit",
      "DenyEscalatingExec", // removed in 1.21
    ]
    feature_gates = {
      RotateKubeletServerCertificate = "true"
    }
  }

  kubelet {
    anonymous_auth { value = true }
    read_only_port = 10255
  }

  # etcd clusters
  etcd_cluster {
    name = "main"
    member {
      name           = "master-0"
      instance_group = "master-0"
    }
  }
  etcd_cluster {
    name = "events"
    member {
      name           = "master-0"
      instance_group = "master-0"
    }
  }
}

resource "kops_instance_group" "nodes" {
  cluster_name        = kops_cluster.cluster.id
  name                = "nodes"
  role                = "Node"
  min_size            = 1
  max_size            = 3
  machine_type        = "t3.medium"
  subnets             = ["private-0", "private-1"]
  associate_public_ip = false
}

resource "kops_instance_group" "bastion" {
  cluster_name = kops_cluster.cluster.id
  name         = "bastion"
  role         = "Bastion"
  min_size     = 1
  max_size     = 1

  additional_user_data {
    name    = "motd.sh"
    type    = "text/x-shellscript"
    content = <<-EOF
      #!/bin/sh
      cat > /etc/motd <<MOTD
      kubelet {
        read_only_port = 10255
      }
      MOTD
}
    EOF
  }
}

resource "kops_cluster_updater" "updater" {
  cluster_name = kops_cluster.cluster.id

  keepers = {
    cluster = kops_cluster.cluster.revision
    nodes   = kops_instance_group.nodes.revision
  }
}

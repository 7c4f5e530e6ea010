# An older cluster: AlwaysAllow authorization and a hand-made admission list.
resource "kops_cluster" "legacy" {
  name               = "legacy.k8s.example.com"
  kubernetes_version = "1.30.4"

  authorization {
    always_allow {}
  }

  kube_api_server {
    # AlwaysAdmit came from an old runbook
    enable_admission_plugins = ["NamespaceLifecycle", "AlwaysAdmit", "ServiceAccount", "NodeRestriction"]
    enable_profiling         = false
    feature_gates = {
      AllAlpha = "false"
    }
  }

  kube_controller_manager {
    enable_profiling = false
  }

  kubelet {
    anonymous_auth {
      value = false
    }
    read_only_port = 0
    feature_gates = {
      RotateKubeletServerCertificate = "false"
    }
  }
}

# Least privilege for Gatehouse's own credentials (task role, instance profile, ...): exactly the Cognito actions
# it calls, on this pool only. The list lives in infra/cognito-iam-actions.json, which the code's tests check
# against every Cognito command Gatehouse sends.

locals {
  cognito_actions = jsondecode(file("${path.module}/../cognito-iam-actions.json")).actions
  secrets_region  = coalesce(var.secrets_region, local.region)
}

data "aws_iam_policy_document" "gatehouse" {
  statement {
    sid       = "CognitoPool"
    effect    = "Allow"
    actions   = local.cognito_actions
    resources = [aws_cognito_user_pool.this.arn]
  }

  # USE_SECRETS_MANAGER=true lists the secrets under SECRETS_PREFIX, then reads each.
  # ListSecrets takes no resource ARN (AWS allows only "*"); it returns names and metadata, never values.
  dynamic "statement" {
    for_each = var.secrets_prefix == null ? [] : [1]
    content {
      sid       = "ListSecrets"
      effect    = "Allow"
      actions   = ["secretsmanager:ListSecrets"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.secrets_prefix == null ? [] : [1]
    content {
      sid       = "ReadGatehouseSecrets"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = ["arn:${data.aws_partition.current.partition}:secretsmanager:${local.secrets_region}:${data.aws_caller_identity.current.account_id}:secret:${var.secrets_prefix}*"]
    }
  }
}

resource "aws_iam_policy" "gatehouse" {
  name        = "${local.name}-app"
  description = "Gatehouse (${var.stage}): the Cognito admin actions it calls on its pool, and its secrets"
  policy      = data.aws_iam_policy_document.gatehouse.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "gatehouse" {
  for_each   = toset(var.attach_policy_to_roles)
  role       = each.value
  policy_arn = aws_iam_policy.gatehouse.arn
}
